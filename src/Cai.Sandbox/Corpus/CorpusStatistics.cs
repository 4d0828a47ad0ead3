namespace Cai.Sandbox.Corpus;

/// <summary>What a written corpus holds: documents by type and by detail (style or compared labels), and characters.</summary>
public sealed record CorpusStatistics(
    int Documents,
    long Characters,
    IReadOnlyDictionary<string, int> ByType,
    IReadOnlyDictionary<string, int> ByTypeAndDetail);
