using System.Security.Cryptography;
using Cai.Abstractions.Text;
using Cai.Models.Checkpoints;
using Cai.Models.Generation;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using static TorchSharp.torch;

namespace Cai.Models;

/// <summary>
/// A local checkpoint (model + tokenizer) as an <see cref="ITextModel"/>. Calls run on the <see cref="TorchThread"/>, so
/// one at a time (one forward batch at a time); cancellation is honoured between batches.
/// </summary>
public sealed class LocalTextModel : ITextModel, IDisposable
{
    private readonly TokenGenerator _generator;
    private readonly ContinuationScorer _scorer;

    /// <summary>Wraps a loaded model and its tokenizer; <paramref name="name"/> identifies it in provenance.</summary>
    public LocalTextModel(CausalLanguageModel model, TextTokenizer tokenizer, string name)
    {
        Model = model;
        Tokenizer = tokenizer;
        Name = name;
        _generator = new TokenGenerator(model, tokenizer);
        _scorer = new ContinuationScorer(model, tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0);
    }

    /// <summary>
    /// Loads config.json, the weights and the tokenizer of a checkpoint directory; a malformed or missing file is an
    /// <see cref="Cai.Abstractions.Input.InputException"/> (see <see cref="CheckpointDirectory"/>). A
    /// <paramref name="chatFormat"/> (a built-in name, see <see cref="TextTokenizer.WithChatFormat"/>) replaces the
    /// checkpoint's own.
    /// </summary>
    public static LocalTextModel Load(string directory, Device? device = null, ScalarType? dtype = null, string? chatFormat = null)
    {
        var tokenizer = CheckpointDirectory.Tokenizer(directory, chatFormat);
        var model = CheckpointDirectory.Load(directory, () => CausalLanguageModelLoader.Load(directory, device, dtype));
        return new LocalTextModel(model, tokenizer, $"{Path.GetFullPath(directory)}@{ShortHash(directory)}");
    }

    /// <summary>The model.</summary>
    public CausalLanguageModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Statistics of the last generation call.</summary>
    public GenerationStatistics? LastStatistics => _generator.LastStatistics;

    /// <inheritdoc />
    public string FormatPrompt(Conversation conversation) => Tokenizer.ChatFormat.Render(conversation);

    /// <inheritdoc />
    public IReadOnlyList<string> TurnStopStrings => Tokenizer.ChatFormat.StopStrings;

    /// <inheritdoc />
    public async Task<IReadOnlyList<IReadOnlyList<GeneratedText>>> GenerateAsync(IReadOnlyList<string> prompts, GenerationOptions options,
        CancellationToken cancellationToken = default)
    {
        var ids = prompts.Select(p => Tokenizer.Encode(p)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<IReadOnlyList<GeneratedSequence>> sequences;
        try { sequences = await TorchThread.RunAsync(() => _generator.Generate(ids, options, cancellationToken)).ConfigureAwait(false); }
        catch (NonFiniteLogitsException e) { throw new NonFiniteLogitsException($"model {Name}: {e.Message}"); }
        return sequences
            .Select(perPrompt => (IReadOnlyList<GeneratedText>)perPrompt.Select(s => new GeneratedText(s.Text ?? "", s.TokenIds, s.FinishReason)).ToArray())
            .ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IReadOnlyList<ContinuationScore>>> ScoreAsync(IReadOnlyList<ScoringRequest> requests,
        CancellationToken cancellationToken = default)
    {
        // The prompt is encoded with special tokens (bos), each continuation without, then concatenated.
        var flat = requests
            .SelectMany(r =>
            {
                var prompt = Tokenizer.Encode(r.Prompt);
                return r.Continuations.Select(c => new TokenScoringRequest(prompt, Tokenizer.Encode(c, addSpecialTokens: false)));
            })
            .ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var scores = await TorchThread.RunAsync(() => _scorer.Score(flat, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var result = new List<IReadOnlyList<ContinuationScore>>();
        int k = 0;
        foreach (var r in requests)
        {
            result.Add(scores.Skip(k).Take(r.Continuations.Count).ToArray());
            k += r.Continuations.Count;
        }
        return result;
    }

    /// <summary>First 12 hex digits of SHA-256 over config.json and the weight files.</summary>
    public static string ShortHash(string directory)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = new[] { ModelConfig.FileName, CheckpointFiles.IndexFileName, CheckpointFiles.WeightsFileName }
            .Select(f => Path.Combine(directory, f))
            .Concat(Directory.EnumerateFiles(directory, "model-*.safetensors").Order(StringComparer.Ordinal))
            .Where(File.Exists)
            .Distinct();
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }

    public void Dispose() => Model.Dispose();
}
