namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>Vocabulary for sample Cognee installations: datasets, documents, entities and the sentences about them.</summary>
internal static class CogneeWords
{
    /// <summary>Cognee's default dataset name comes first: every user's first dataset is "main_dataset".</summary>
    public static readonly string[] DatasetNames =
    [
        "main_dataset", "research_notes", "product_docs", "support_tickets", "meeting_minutes", "engineering_wiki",
        "legal_contracts", "sales_playbook",
    ];

    /// <summary>What the documents of a dataset are about, by the dataset's position in <see cref="DatasetNames"/>.</summary>
    public static readonly string[] Topics =
    [
        "company knowledge", "retrieval evaluation", "memory API", "customer escalations", "quarterly planning",
        "platform architecture", "vendor agreements", "enterprise sales",
    ];

    public static readonly string[] DocumentNames =
    [
        "quarterly_review", "onboarding_guide", "architecture_overview", "incident_report", "roadmap_2025",
        "customer_interview", "design_decisions", "release_notes", "team_offsite", "security_audit", "pricing_strategy",
        "vendor_contract", "migration_plan", "postmortem", "research_summary", "support_faq", "hiring_plan",
        "competitive_analysis",
    ];

    public static readonly string[] UserNames =
    [
        "alice.nguyen", "bruno.keller", "chloe.martin", "dev.patel", "emma.schulz", "farid.haddad", "grace.okafor",
        "hiro.tanaka", "ines.costa", "jonas.berg",
    ];

    public static readonly string[] TenantNames = ["acme-research", "globex-labs", "initech-ai"];

    public static readonly string[] NodeSets = ["team_alpha", "q3_planning", "customer_facing", "internal_only", "compliance"];

    public static readonly string[] CognitiveLayers =
    [
        "Semantic Layer", "Structural Layer", "Thematic Layer", "Temporal Layer", "Contextual Layer",
        "Stakeholder Layer", "Causal Layer",
    ];

    /// <summary>Entity names and their types; a couple carry apostrophes, which Cognee's normalisation drops.</summary>
    public static readonly (string Name, string Type)[] Entities =
    [
        ("Ada Lovelace", "person"), ("Grace Hopper", "person"), ("Alan Turing", "person"), ("Katherine Johnson", "person"),
        ("Margaret Hamilton", "person"), ("Barbara Liskov", "person"), ("Donald Knuth", "person"), ("Edsger Dijkstra", "person"),
        ("Frances Allen", "person"), ("John McCarthy", "person"),
        ("Acme Corporation", "organization"), ("Globex", "organization"), ("Initech", "organization"),
        ("O'Reilly Media", "organization"), ("Umbrella Labs", "organization"), ("Hooli", "organization"),
        ("PostgreSQL", "technology"), ("pgvector", "technology"), ("Kubernetes", "technology"), ("Python", "technology"),
        ("Apache Kafka", "technology"), ("Redis", "technology"), ("Neo4j", "technology"), ("LanceDB", "technology"),
        ("knowledge graph", "concept"), ("vector search", "concept"), ("semantic memory", "concept"),
        ("data lineage", "concept"), ("access control", "concept"), ("entity resolution", "concept"),
        ("Conway's law", "concept"), ("retrieval augmented generation", "concept"),
        ("Berlin", "location"), ("San Francisco", "location"), ("Zurich", "location"), ("Lisbon", "location"),
        ("Memory API", "product"), ("Insight Dashboard", "product"), ("Graph Explorer", "product"),
        ("Project Atlas", "project"), ("Project Beacon", "project"), ("Project Cobalt", "project"),
    ];

    public static readonly Dictionary<string, string[]> MentionSentences = new(StringComparer.Ordinal)
    {
        ["person"] =
        [
            "{0} reviewed the {1} plan and asked for a follow-up before Friday.",
            "{0} leads the {1} effort and owns the final sign-off.",
            "According to {0}, the {1} backlog shrank by a third this month.",
        ],
        ["organization"] =
        [
            "{0} agreed to pilot the {1} workflow next quarter.",
            "The contract with {0} covers {1} support for two more years.",
            "{0} reported fewer incidents after adopting the new {1} process.",
        ],
        ["technology"] =
        [
            "The team evaluated {0} for the {1} pipeline and kept it as the default.",
            "{0} handles the heavy lifting behind {1} today.",
            "Upgrading {0} is a prerequisite for the next {1} milestone.",
        ],
        ["concept"] =
        [
            "The discussion kept returning to {0} and how it shapes {1}.",
            "Everyone agreed that {0} is the core idea behind {1}.",
            "A short primer on {0} was added to the {1} notes.",
        ],
        ["location"] =
        [
            "The next {1} workshop will take place in {0}.",
            "Most of the {1} team is now based in {0}.",
        ],
        ["product"] =
        [
            "{0} now exposes the {1} results to every customer.",
            "Feedback on {0} dominated the {1} review.",
        ],
        ["project"] =
        [
            "{0} depends on the {1} milestones agreed last month.",
            "{0} was re-scoped to focus on {1}.",
        ],
    };

    public static readonly string[] MentionDescriptions =
    [
        "{0} is a {1} that the {2} notes refer to repeatedly.",
        "A {1} involved in {2}.",
        "{0}, a {1} mentioned in the context of {2}.",
    ];

    public static readonly string[] FillerSentences =
    [
        "Action items were assigned at the end of the session on {0}.",
        "The open questions about {0} are tracked in the shared board.",
        "Metrics for {0} will be reviewed again at the end of the month.",
        "Several customers asked for better documentation of {0}.",
        "The previous approach to {0} did not scale beyond a few thousand records.",
        "A draft proposal for {0} is ready for comments.",
        "Risks around {0} were rated medium by the steering group.",
        "No decision on {0} was taken yet; a follow-up meeting is planned.",
    ];

    public static readonly string[] SummaryTemplates =
    [
        "The section covers {0} in the context of {1}.",
        "Notes on {1}, with {0} as the main subjects.",
        "Summary: {0} and their role in {1}.",
    ];
}
