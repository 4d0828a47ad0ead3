using Cai.Abstractions.Text;
using Cai.Models;
using Cai.Models.Chat;
using Cai.Models.Generation;
using Cai.Models.Tokenization;

namespace Cai.Cli.Serve;

/// <summary>
/// The checkpoint a server serves: the loaded model, the name clients call it by, the longest sequence a request may
/// ask for, and how OpenAI chat messages become its prompt.
/// </summary>
public sealed class ServedModel : IDisposable
{
    /// <summary>Wraps a loaded model; <paramref name="maxModelLength"/> is at most the model's context length.</summary>
    public ServedModel(LocalTextModel model, string name, int maxModelLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxModelLength, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxModelLength, model.Model.Config.ContextLength);
        Text = model;
        Name = name;
        MaxModelLength = maxModelLength;
        int at = model.Name.LastIndexOf('@');
        Fingerprint = "fp_" + (at >= 0 ? model.Name[(at + 1)..] : "local");
        Scorer = new ContinuationScorer(model.Model, model.Tokenizer.PadTokenId ?? model.Tokenizer.EosTokenId ?? 0);
    }

    /// <summary>The model and its tokenizer.</summary>
    public LocalTextModel Text { get; }

    /// <summary>The tokenizer.</summary>
    public TextTokenizer Tokenizer => Text.Tokenizer;

    /// <summary>The id clients send as "model" (--served-model-name, by default the checkpoint folder's name).</summary>
    public string Name { get; }

    /// <summary>Most tokens of a prompt and its completion together (--max-model-len, at most ModelConfig.ContextLength).</summary>
    public int MaxModelLength { get; }

    /// <summary>OpenAI's system_fingerprint: the checkpoint's hash (see <see cref="LocalTextModel.ShortHash"/>).</summary>
    public string Fingerprint { get; }

    /// <summary>Unix time the server loaded the model ("created" of /v1/models).</summary>
    public long Created { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Per-token log-probabilities of given sequences (echo with logprobs).</summary>
    public ContinuationScorer Scorer { get; }

    /// <summary>Strings that end an assistant turn in the model's chat format; chat completions stop there.</summary>
    public IReadOnlyList<string> TurnStopStrings => Text.TurnStopStrings;

    /// <summary>
    /// The prompt of a chat request: the conversation (a system turn first, if any) in the model's chat format
    /// (<see cref="LocalTextModel.FormatPrompt"/>), ending with the assistant cue, or continuing a final assistant
    /// message. A conversation the model's chat template refuses (e.g. roles that do not alternate) is a 400 naming
    /// the template's message.
    /// </summary>
    public string RenderChat(Conversation conversation)
    {
        try
        {
            return Text.FormatPrompt(conversation);
        }
        catch (Exception e) when (e is JinjaTemplateException or ArgumentException or InvalidOperationException)
        {
            throw ApiException.BadParameter("messages", e is JinjaTemplateException { RaisedMessage: { } raised } ? raised : e.Message);
        }
    }

    public void Dispose() => Text.Dispose();
}
