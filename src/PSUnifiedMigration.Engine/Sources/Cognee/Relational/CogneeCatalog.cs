using PSUnifiedMigration.Engine.Records;
using System.Security.Cryptography;
using System.Text;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Relational;

/// <summary>The tables and columns of a Cognee relational store, as its database describes them.</summary>
internal sealed class CogneeCatalog
{
    private readonly Dictionary<string, List<(string Name, string Type)>> _tables;

    private CogneeCatalog(Dictionary<string, List<(string, string)>> tables) => _tables = tables;

    public static CogneeCatalog Load(CogneeDatabase database)
    {
        var tables = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        using (var command = database.Command(database.CatalogSql))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (!tables.TryGetValue(reader.GetString(0), out var columns))
                {
                    tables[reader.GetString(0)] = columns = [];
                }

                columns.Add((reader.GetString(1), reader.GetString(2)));
            }
        }

        string? revision = null;
        if (tables.ContainsKey("alembic_version"))
        {
            using var version = database.Command("SELECT max(version_num) FROM alembic_version");
            revision = version.ExecuteScalar() as string;
        }

        return new CogneeCatalog(tables) { AlembicRevision = revision };
    }

    public bool Has(string table) => _tables.ContainsKey(table);

    public bool HasColumn(string table, string column) => _tables.TryGetValue(table, out var columns) && columns.Any(c => c.Name == column);

    /// <summary>v1.5 and later keep a data row's dataset in data.dataset_id; earlier versions link through dataset_data.</summary>
    public bool DataHasDatasetColumn => HasColumn("data", "dataset_id");

    public string Layout => DataHasDatasetColumn && Has("dataset_data") ? "v1.5 upgrade unfinished (data.dataset_id beside dataset_data)"
        : DataHasDatasetColumn ? "v1.5+ (data.dataset_id, legacy_id)"
        : Has("dataset_data") ? "up to v1.4 (data + dataset_data)"
        : "unrecognised";

    /// <summary>Alembic's head revision, which tells the exact Cognee schema (e.g. c7e2a9b4d1f3 for v1.5.2).</summary>
    public string? AlembicRevision { get; private init; }

    /// <summary>Columns declared JSON, whose text is parsed rather than carried as a string.</summary>
    public IReadOnlySet<string> JsonColumns(string table) =>
        _tables.TryGetValue(table, out var columns) ? columns.Where(c => c.Type.Equals("JSON", StringComparison.OrdinalIgnoreCase) || c.Type.Equals("jsonb", StringComparison.OrdinalIgnoreCase)).Select(c => c.Name).ToHashSet() : new HashSet<string>();

    public string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var (table, columns) in _tables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            text.Append('|').Append(table).Append(':').AppendJoin(',', columns.Select(c => c.Name + " " + c.Type));
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
    }
}
