using Cai.Sandbox.Documents;
using Cai.Sandbox.IO;

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
        AtomicText.Write(path, writer =>
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
