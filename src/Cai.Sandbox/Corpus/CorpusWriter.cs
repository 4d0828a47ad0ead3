using Cai.Models.IO;
using Cai.Sandbox.Documents;

namespace Cai.Sandbox.Corpus;

/// <summary>
/// The pretraining corpus of the tiny base model: conversations, critique–revision and comparison documents,
/// each followed by the end-of-text token. Deterministic given the seed.
/// </summary>
public static class CorpusWriter
{
    /// <summary>The documents, without end-of-text tokens (also the plain text for tokenizer training).</summary>
    public static IEnumerable<CorpusDocument> Documents(int seed, int documentCount, CorpusMix? mix = null)
    {
        var source = new CorpusDocuments(new Random(seed), mix ?? CorpusMix.Default);
        for (int i = 0; i < documentCount; i++) yield return source.Next();
    }

    /// <summary>Writes the corpus to <paramref name="path"/> atomically: every document followed by "&lt;|endoftext|&gt;".</summary>
    public static CorpusStatistics Write(string path, int seed, int documentCount, CorpusMix? mix = null)
    {
        var byType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var byDetail = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long characters = 0;
        AtomicFile.WriteText(path, writer =>
        {
            foreach (var document in Documents(seed, documentCount, mix))
            {
                writer.Write(document.Text);
                writer.Write(ChatTranscript.EndOfText);
                characters += document.Text.Length + ChatTranscript.EndOfText.Length;
                Count(byType, document.Type.ToString());
                Count(byDetail, $"{document.Type}/{document.Detail}");
            }
        });
        return new CorpusStatistics(documentCount, characters, byType, byDetail);
    }

    static void Count(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}

/// <summary>What a written corpus holds: documents by type and by detail (style or compared labels), and characters.</summary>
public sealed record CorpusStatistics(
    int Documents,
    long Characters,
    IReadOnlyDictionary<string, int> ByType,
    IReadOnlyDictionary<string, int> ByTypeAndDetail);
