using System.Security.Cryptography;
using System.Text;

namespace PSUnifiedMigration.Sandbox.Cognee;

internal sealed class UserSpec
{
    public required Guid Id { get; init; }
    public required string Email { get; init; }
    public required string HashedPassword { get; init; }
    public required bool IsSuperuser { get; init; }
    public required DateTime CreatedAt { get; init; }
    public TenantSpec? Tenant { get; set; }
    public List<DatasetSpec> Datasets { get; } = [];
}

internal sealed class TenantSpec
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public required UserSpec Owner { get; init; }
    public required DateTime CreatedAt { get; init; }
}

internal sealed record RoleSpec(Guid Id, string Name, TenantSpec Tenant, DateTime CreatedAt);

internal sealed record PermissionSpec(Guid Id, string Name, DateTime CreatedAt);

internal sealed record AclSpec(Guid Id, UserSpec Principal, PermissionSpec Permission, DatasetSpec Dataset, DateTime CreatedAt);

internal sealed class DatasetSpec
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public required string Topic { get; init; }
    public required UserSpec Owner { get; init; }
    public required DateTime CreatedAt { get; init; }

    /// <summary>When the dataset's cognify run started; its documents are processed one after another from here.</summary>
    public required DateTime CognifiedAt { get; init; }

    /// <summary>The entities its documents talk about; overlapping pools make datasets share entity nodes.</summary>
    public required (string Name, string Type)[] EntityPool { get; init; }

    public List<MembershipSpec> Members { get; } = [];
}

/// <summary>One distinct content (a file or a text) of one owner: one TextDocument data point and its graph.</summary>
internal sealed class ContentSpec
{
    public required UserSpec Owner { get; init; }
    public required DatasetSpec FirstDataset { get; init; }

    /// <summary>The file's name without extension, or null for a text added directly (named <c>text_&lt;md5&gt;</c> once known).</summary>
    public required string? FileName { get; init; }

    public required string Extension { get; init; }
    public required string MimeType { get; init; }
    public required string[]? NodeSet { get; init; }
    public required int Seed { get; init; }
    public List<MembershipSpec> Members { get; } = [];

    /// <summary>The row id it was first ingested under (content-derived up to v1.4, random from v1.5): the document's graph id.</summary>
    public Guid DocumentId { get; set; }

    public DocumentContent? Content { get; set; }
}

/// <summary>A content's membership of a dataset, and the <c>data</c> row that represents it there.</summary>
internal sealed class MembershipSpec
{
    public required DatasetSpec Dataset { get; init; }
    public required ContentSpec Content { get; init; }
    public required DateTime AddedAt { get; init; }
    public required DateTime CognifiedAt { get; init; }

    /// <summary>The <c>data</c> row id in this dataset: the document id, or a split copy's new id.</summary>
    public Guid DataRowId { get; set; }

    /// <summary>Set on a v1.5 split copy: the id of the row the datasets used to share.</summary>
    public Guid? LegacyId { get; set; }

    /// <summary>False for the second dataset of a v1.4 shared row: no <c>data</c> row of its own, only a link.</summary>
    public bool OwnsDataRow { get; set; } = true;
}

internal sealed record ChunkContent(int Index, string Text, int Words, string CutType, List<Mention> Mentions, List<Relation> Relations, string Summary);

internal sealed record Mention(string Name, string Type, string Description);

internal sealed record Relation(string Source, string Target, string Name, string Description);

internal sealed class DocumentContent
{
    public required string Text { get; init; }
    public required List<ChunkContent> Chunks { get; init; }
    public required string ContentHash { get; init; }
    public required int Bytes { get; init; }
    public required string Name { get; init; }
}

/// <summary>
/// The users, tenants, datasets and documents of a sample installation, and their text; the data points are derived
/// from it by <see cref="CogneeGraphBuilder"/>. Everything is a function of the options.
/// </summary>
internal sealed class CogneeSampleModel
{
    private static readonly DateTime BaseTime = new(2025, 2, 3, 9, 0, 0, DateTimeKind.Utc);
    private static readonly string[] PermissionNames = ["read", "write", "delete", "share"];

    private CogneeSampleModel(CogneeSampleOptions options) => Options = options;

    public CogneeSampleOptions Options { get; }
    public bool IsV15 => Options.RelationalLayout == RelationalLayout.DataDatasetId;
    public string Version => IsV15 ? "1.5.2" : "1.4.2";

    /// <summary>The head alembic revision of the modelled release, which Cognee stamps into <c>alembic_version</c>.</summary>
    public string AlembicRevision => IsV15 ? "c7e2a9b4d1f3" : "d4e6f8a0b2c3";

    public List<UserSpec> Users { get; } = [];
    public TenantSpec? Tenant { get; private set; }
    public List<RoleSpec> Roles { get; } = [];
    public List<(UserSpec User, RoleSpec Role, DateTime CreatedAt)> UserRoles { get; } = [];
    public List<(UserSpec User, TenantSpec Tenant, DateTime CreatedAt)> UserTenants { get; } = [];
    public List<PermissionSpec> Permissions { get; } = [];
    public List<DatasetSpec> Datasets { get; } = [];
    public List<AclSpec> Acls { get; } = [];
    public List<ContentSpec> Contents { get; } = [];

    /// <summary>Dataset by dataset, in ingestion order.</summary>
    public IEnumerable<MembershipSpec> Memberships => Datasets.SelectMany(d => d.Members);

    public static CogneeSampleModel Build(CogneeSampleOptions o)
    {
        var r = new Random(o.Seed);
        var model = new CogneeSampleModel(o);
        var userNames = Shuffled(r, CogneeWords.UserNames);
        for (var u = 0; u < o.Users; u++)
        {
            // The first user is Cognee's own default user, created on first use.
            model.Users.Add(new UserSpec
            {
                Id = CogneeIds.Uuid4(r),
                Email = u == 0 ? "default_user@example.com" : $"{NthName(userNames, u - 1)}@example.org",
                HashedPassword = Argon2Hash(r),
                IsSuperuser = u == 0,
                CreatedAt = Micro(BaseTime.AddHours(u * 5).AddTicks(r.NextInt64(TimeSpan.TicksPerHour))),
            });
        }

        if (o.Users >= 2)
        {
            model.AddTenant(r);
        }

        var shareContent = o.DatasetsPerUser >= 2 && o.DocumentsPerDataset >= 1 && !o.VectorSchemaPerDataset;
        foreach (var user in model.Users)
        {
            for (var d = 0; d < o.DatasetsPerUser; d++)
            {
                model.AddDataset(r, user, d, shareContent && d == 1);
            }
        }

        if (o.Users >= 2 && model.Users[0].Datasets.Count > 0)
        {
            // One cross-user grant: the second user may read the default user's first dataset.
            var dataset = model.Users[0].Datasets[0];
            model.Acls.Add(new AclSpec(CogneeIds.Uuid4(r), model.Users[1], model.Permission("read", dataset.CreatedAt), dataset,
                Micro(dataset.CognifiedAt.AddHours(2))));
        }

        model.AssignRowIds(r);
        return model;
    }

    private void AddTenant(Random r)
    {
        var owner = Users[1];
        var tenant = new TenantSpec
        {
            Id = CogneeIds.Uuid4(r),
            Name = CogneeWords.TenantNames[r.Next(CogneeWords.TenantNames.Length)],
            Owner = owner,
            CreatedAt = Micro(owner.CreatedAt.AddMinutes(10)),
        };
        Tenant = tenant;
        var admin = new RoleSpec(CogneeIds.Uuid4(r), "admin", tenant, Micro(tenant.CreatedAt.AddMinutes(1)));
        Roles.Add(admin);
        RoleSpec? member = null;
        if (Users.Count >= 3)
        {
            member = new RoleSpec(CogneeIds.Uuid4(r), "member", tenant, Micro(tenant.CreatedAt.AddMinutes(2)));
            Roles.Add(member);
        }

        // The default user stays outside the tenant, as installations that predate tenants have it.
        for (var u = 1; u < Users.Count; u++)
        {
            var user = Users[u];
            user.Tenant = tenant;
            var joined = Micro((u == 1 ? tenant.CreatedAt : user.CreatedAt).AddMinutes(3));
            UserTenants.Add((user, tenant, joined));
            UserRoles.Add((user, u == 1 ? admin : member!, Micro(joined.AddSeconds(30))));
        }
    }

    private void AddDataset(Random r, UserSpec owner, int index, bool sharesFirstContent)
    {
        var name = NthName(CogneeWords.DatasetNames, index);
        var topic = CogneeWords.Topics[index % CogneeWords.Topics.Length];
        var created = Micro(owner.CreatedAt.AddDays(1 + index * 3).AddTicks(r.NextInt64(6 * TimeSpan.TicksPerHour)));
        var poolSize = Math.Max(6, Options.EntitiesPerChunk * 3);
        var dataset = new DatasetSpec
        {
            // get_unique_dataset_id: uuid5 of name, user id and tenant id ("None" without a tenant).
            Id = CogneeIds.Uuid5($"{name}{owner.Id:D}{CogneeIds.PyStr(owner.Tenant?.Id)}"),
            Name = name,
            Topic = topic,
            Owner = owner,
            CreatedAt = created,
            CognifiedAt = Micro(created.AddMinutes(5 + Options.DocumentsPerDataset * 2).AddTicks(r.NextInt64(TimeSpan.TicksPerMinute))),
            EntityPool = EntityPool(r, poolSize),
        };
        Datasets.Add(dataset);
        owner.Datasets.Add(dataset);
        foreach (var permission in PermissionNames)
        {
            Acls.Add(new AclSpec(CogneeIds.Uuid4(r), owner, Permission(permission, created), dataset, created));
        }

        for (var k = 0; k < Options.DocumentsPerDataset; k++)
        {
            var content = sharesFirstContent && k == 0 ? owner.Datasets[0].Members[0].Content : NewContent(r, owner, dataset, k);
            var added = Micro(created.AddMinutes(1 + k * 2).AddTicks(r.NextInt64(TimeSpan.TicksPerMinute)));
            var membership = new MembershipSpec
            {
                Dataset = dataset,
                Content = content,
                AddedAt = added,
                CognifiedAt = Micro(dataset.CognifiedAt.AddSeconds(20 * k).AddTicks(r.NextInt64(15 * TimeSpan.TicksPerSecond))),
            };
            dataset.Members.Add(membership);
            content.Members.Add(membership);
        }
    }

    private ContentSpec NewContent(Random r, UserSpec owner, DatasetSpec dataset, int index)
    {
        // Three kinds of input: markdown files, text files and texts passed to cognee.add directly.
        var kind = (Contents.Count + index) % 4;
        var fileName = kind == 3 ? null : NthName(CogneeWords.DocumentNames, (Contents.Count * 7 + index) % 1000);
        string[]? nodeSet = r.NextDouble() < 0.35
            ? Shuffled(r, CogneeWords.NodeSets).Take(r.NextDouble() < 0.3 ? 2 : 1).ToArray()
            : null;
        var content = new ContentSpec
        {
            Owner = owner,
            FirstDataset = dataset,
            FileName = fileName,
            Extension = kind == 0 ? "md" : "txt",
            MimeType = kind == 0 ? "text/markdown" : "text/plain",
            NodeSet = nodeSet,
            Seed = r.Next(),
        };
        Contents.Add(content);
        return content;
    }

    private (string Name, string Type)[] EntityPool(Random r, int size)
    {
        var pool = Shuffled(r, CogneeWords.Entities);
        return Enumerable.Range(0, size)
            .Select(i => i < pool.Length ? pool[i] : ($"{pool[i % pool.Length].Name} {i / pool.Length + 1}", pool[i % pool.Length].Type))
            .ToArray();
    }

    private PermissionSpec Permission(string name, DateTime firstUse)
    {
        var existing = Permissions.FirstOrDefault(p => p.Name == name);
        if (existing is not null)
        {
            return existing;
        }

        // Cognee creates a permission row the first time it grants it; the ids are random.
        var permission = new PermissionSpec(Guid.Empty, name, firstUse);
        Permissions.Add(permission);
        return permission;
    }

    /// <summary>
    /// Row ids. Up to v1.4 a row's id is uuid5(content hash + user id + tenant id), so one owner's identical content
    /// in two datasets is one row. The v1.5 upgrade kept that id for the oldest dataset and split a new random id off
    /// for the others (<c>legacy_id</c> = the shared id); rows ingested after the upgrade get random ids.
    /// </summary>
    private void AssignRowIds(Random r)
    {
        for (var i = 0; i < Permissions.Count; i++)
        {
            Permissions[i] = Permissions[i] with { Id = CogneeIds.Uuid4(r) };
        }

        var byName = Permissions.ToDictionary(p => p.Name);
        for (var i = 0; i < Acls.Count; i++)
        {
            Acls[i] = Acls[i] with { Permission = byName[Acls[i].Permission.Name] };
        }

        foreach (var content in Contents)
        {
            var text = DocumentGenerator.Generate(this, content);
            var ingestedBeforeUpgrade = !IsV15 || content.FirstDataset.Owner.Datasets.IndexOf(content.FirstDataset) < 2;
            content.DocumentId = ingestedBeforeUpgrade
                ? CogneeIds.Uuid5($"{text.ContentHash}{content.Owner.Id:D}{CogneeIds.PyStr(content.Owner.Tenant?.Id)}")
                : CogneeIds.Uuid4(r);
            for (var m = 0; m < content.Members.Count; m++)
            {
                var membership = content.Members[m];
                membership.DataRowId = content.DocumentId;
                if (m > 0 && IsV15)
                {
                    membership.DataRowId = CogneeIds.Uuid4(r);
                    membership.LegacyId = content.DocumentId;
                }
                else if (m > 0)
                {
                    membership.OwnsDataRow = false;
                }
            }
        }
    }

    /// <summary>fastapi-users hashes with Argon2id; the hash is random here, as no one logs in to a sample.</summary>
    private static string Argon2Hash(Random r)
    {
        var salt = new byte[16];
        var hash = new byte[32];
        r.NextBytes(salt);
        r.NextBytes(hash);
        return $"$argon2id$v=19$m=65536,t=3,p=4${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(hash).TrimEnd('=')}";
    }

    public static DateTime Micro(DateTime value) => CogneeTime.Micro(value);

    public static T[] Shuffled<T>(Random r, T[] items)
    {
        var copy = (T[])items.Clone();
        r.Shuffle(copy);
        return copy;
    }

    public static string NthName(string[] names, int n) => n < names.Length ? names[n] : $"{names[n % names.Length]}_{n / names.Length + 1}";
}

/// <summary>The text of a document, chunk by chunk, with the entities and relations an LLM would have extracted from each chunk.</summary>
internal static class DocumentGenerator
{
    private static readonly string[] CutTypes = ["paragraph_end", "sentence_end", "sentence_cut"];

    private static readonly Dictionary<(string, string), (string Name, string Verb)> RelationsByTypes = new()
    {
        [("person", "organization")] = ("works_at", "works at"),
        [("person", "technology")] = ("uses", "uses"),
        [("person", "project")] = ("leads", "leads"),
        [("person", "product")] = ("owns", "owns"),
        [("organization", "location")] = ("located_in", "is located in"),
        [("project", "technology")] = ("depends_on", "depends on"),
        [("product", "technology")] = ("depends_on", "depends on"),
        [("organization", "technology")] = ("uses", "uses"),
    };

    public static DocumentContent Generate(CogneeSampleModel model, ContentSpec content)
    {
        if (content.Content is { } cached)
        {
            return cached;
        }

        var o = model.Options;
        var dataset = content.FirstDataset;
        var r = new Random(content.Seed);
        var chunks = new List<ChunkContent>(o.ChunksPerDocument);
        var text = new StringBuilder();
        for (var c = 0; c < o.ChunksPerDocument; c++)
        {
            var entities = CogneeSampleModel.Shuffled(r, dataset.EntityPool).Take(Math.Min(o.EntitiesPerChunk, dataset.EntityPool.Length)).ToArray();
            var sentences = new List<string>();
            var mentions = new List<Mention>();
            foreach (var (name, type) in entities)
            {
                sentences.Add(string.Format(Pick(r, CogneeWords.MentionSentences[type]), name, dataset.Topic));
                mentions.Add(new Mention(name, type, string.Format(Pick(r, CogneeWords.MentionDescriptions), name, type, dataset.Topic)));
            }

            for (var f = r.Next(2, 5); f > 0; f--)
            {
                sentences.Insert(r.Next(sentences.Count + 1), string.Format(Pick(r, CogneeWords.FillerSentences), dataset.Topic));
            }

            var relations = new List<Relation>();
            for (var i = 0; i + 1 < entities.Length && relations.Count < 2; i++)
            {
                if (i > 0 && r.NextDouble() < 0.5)
                {
                    break;
                }

                var (source, target) = (entities[i], entities[i + 1]);
                var (relName, verb) = RelationsByTypes.TryGetValue((source.Type, target.Type), out var known) ? known : ("related_to", "is related to");
                var sentence = $"{source.Name} {verb} {target.Name}.";
                relations.Add(new Relation(source.Name, target.Name, relName, sentence));
                sentences.Add(sentence);
            }

            // Paragraphs of two or three sentences, as the paragraph chunker would have cut them.
            var chunkText = new StringBuilder();
            for (var s = 0; s < sentences.Count; s++)
            {
                chunkText.Append(s == 0 ? "" : s % 3 == 0 ? "\n\n" : " ").Append(sentences[s]);
            }

            var chunk = chunkText.ToString();
            var words = chunk.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;
            var subjects = entities.Length == 0 ? "general updates" : string.Join(", ", entities.Take(3).Select(e => e.Name));
            var summary = string.Format(Pick(r, CogneeWords.SummaryTemplates), subjects, dataset.Topic);
            chunks.Add(new ChunkContent(c, chunk, words, c == o.ChunksPerDocument - 1 ? "paragraph_end" : Pick(r, CutTypes),
                mentions, relations, summary));
            text.Append(c == 0 ? "" : "\n\n").Append(chunk);
        }

        var body = text.ToString();
        var bytes = Encoding.UTF8.GetBytes(body);
        var hash = Convert.ToHexString(MD5.HashData(bytes)).ToLowerInvariant();
        var generated = new DocumentContent
        {
            Text = body,
            Chunks = chunks,
            ContentHash = hash,
            Bytes = bytes.Length,
            // A text passed to cognee.add is stored as text_<md5>.txt and named after that file.
            Name = content.FileName ?? "text_" + hash,
        };

        // Only contents shared by several datasets are needed again; the rest are regenerated on demand.
        if (content.Members.Count > 1)
        {
            content.Content = generated;
        }

        return generated;
    }

    private static T Pick<T>(Random r, T[] items) => items[r.Next(items.Length)];
}
