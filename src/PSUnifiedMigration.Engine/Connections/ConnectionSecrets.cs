using System.ComponentModel;
using System.Reflection;
using System.Security;
using Npgsql;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>
/// The secrets a PostgreSQL connection string can carry, found from Npgsql itself rather than listed by hand: every
/// keyword of <see cref="NpgsqlConnectionStringBuilder"/> whose property Npgsql marks as password text, or whose name
/// or keyword says it is a password (Password, SSL Password, and any such keyword a later Npgsql adds). They leave the
/// builder as SecureStrings; the printable connection string shows each one only as asterisks.
/// </summary>
public static class ConnectionSecrets
{
    /// <summary>What every redacted secret reads as.</summary>
    public const string Mask = "********";

    /// <summary>Npgsql's secret keywords, as its builder writes them, Password first (then "SSL Password", and so on).</summary>
    public static IReadOnlyList<string> Keywords { get; } = SecretProperties().Select(p => Keyword(p)).ToArray();

    /// <summary>Whether a builder property holds a secret by Npgsql's own marking, or by its name or keyword.</summary>
    public static bool IsSecret(PropertyInfo property) =>
        property.GetCustomAttribute<PasswordPropertyTextAttribute>()?.Password == true
        || property.Name.Contains("Password", StringComparison.OrdinalIgnoreCase)
        || Keyword(property).Contains("Password", StringComparison.OrdinalIgnoreCase);

    /// <summary>Moves every secret out of <paramref name="builder"/> into SecureStrings, keyed by keyword.</summary>
    internal static Dictionary<string, SecureString> Take(NpgsqlConnectionStringBuilder builder)
    {
        var taken = new Dictionary<string, SecureString>(StringComparer.Ordinal);
        foreach (var property in SecretProperties())
        {
            if (property.GetValue(builder) is string { Length: > 0 } value)
            {
                taken[Keyword(property)] = Secrets.Protect(value);
            }

            property.SetValue(builder, null);
        }

        return taken;
    }

    /// <summary>Puts the secrets back into a builder, for the moment of connecting.</summary>
    internal static void Restore(NpgsqlConnectionStringBuilder builder, IReadOnlyDictionary<string, SecureString> secrets)
    {
        foreach (var (keyword, value) in secrets)
        {
            builder[keyword] = Secrets.Reveal(value);
        }
    }

    /// <summary>The connection string (which holds no secret) followed by each secret it had, masked, in <see cref="Keywords"/> order.</summary>
    internal static string Redact(string withoutSecrets, IReadOnlyDictionary<string, SecureString> secrets) =>
        withoutSecrets + string.Concat(Keywords.Where(secrets.ContainsKey).Select(k => $";{k}={Mask}"));

    private static IEnumerable<PropertyInfo> SecretProperties() =>
        typeof(NpgsqlConnectionStringBuilder).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.CanWrite && p.GetIndexParameters().Length == 0
                        && p.GetCustomAttribute<DisplayNameAttribute>() is not null && IsSecret(p))
            .OrderBy(p => p.Name == nameof(NpgsqlConnectionStringBuilder.Password) ? 0 : 1).ThenBy(p => p.Name, StringComparer.Ordinal);

    private static string Keyword(PropertyInfo property) => property.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName ?? property.Name;
}
