using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Input;
using Cai.Abstractions.Text;
using Cai.Core.Recipes.Yaml;
using YamlDotNet.RepresentationModel;

namespace Cai.Core.Recipes;

/// <summary>One model of a role: a checkpoint directory, a served model at an endpoint, or the model of another role.</summary>
/// <param name="Path">Absolute checkpoint directory (Hugging Face layout), or null.</param>
/// <param name="Role">The referenced role (e.g. "policy"), or null.</param>
/// <param name="Location">Where it is written.</param>
/// <param name="Remote">A model served over the OpenAI HTTP API, or null.</param>
/// <param name="ChatFormat">The built-in chat format the recipe chooses for a checkpoint (<see cref="ModelPath.ChatFormat"/>), or null.</param>
public sealed record ModelRef(string? Path, string? Role, SourceLocation Location, RemoteModel? Remote = null, string? ChatFormat = null)
{
    /// <summary>How the resolved recipe, run.json and provenance name it: the checkpoint path or <see cref="RemoteModel.Id"/>.</summary>
    public string? Id => Path ?? Remote?.Id;
}

/// <summary>
/// The model(s) of one role under <c>models</c>: a role name (<c>feedback: policy</c>), a mapping
/// (<c>{ path: ../models/x }</c> or <c>{ endpoint: http://host:8000/v1, model: NAME }</c>) or a sequence of these (an
/// ensemble).
/// </summary>
public sealed record ModelSource(IReadOnlyList<ModelRef> Members)
{
    public static object? Bind(YamlBinder binder, YamlNode node) => node switch
    {
        YamlSequenceNode { Children.Count: 0 } empty => Empty(binder, empty),
        YamlSequenceNode sequence => new ModelSource(sequence.Children.Select(n => One(binder, n)).OfType<ModelRef>().ToList()),
        _ => One(binder, node) is { } single ? new ModelSource([single]) : null,
    };

    static object? Empty(YamlBinder binder, YamlNode node)
    {
        binder.Error(node, "expected at least one model in the list");
        return null;
    }

    static ModelRef? One(YamlBinder binder, YamlNode node)
    {
        var location = binder.Source.Locate(node);
        if (node is YamlScalarNode { Value: { Length: > 0 } role }) return new ModelRef(null, role, location);
        if (node is YamlMappingNode mapping)
        {
            bool remote = mapping.Children.Keys.Any(k => k is YamlScalarNode { Value: "endpoint" });
            int before = binder.Errors.Count + binder.More;
            if (remote && binder.BindObject(typeof(RemoteModel), node) is RemoteModel endpoint
                       && binder.Errors.Count + binder.More == before)
                return new ModelRef(null, null, location, endpoint);
            if (!remote && binder.BindObject(typeof(ModelPath), node) is ModelPath { Path: { } path } model)
                return new ModelRef(path, null, location, ChatFormat: model.ChatFormat);
            return null;
        }
        binder.Error(node,
            "expected a role name (e.g. policy), a mapping { path: ... } or { endpoint: ..., model: ... }, or a sequence of these");
        return null;
    }
}

/// <summary>A model checkpoint given by path.</summary>
public sealed record ModelPath
{
    /// <summary>Checkpoint directory in Hugging Face layout (config.json, model.safetensors, tokenizer.json), relative to the recipe file.</summary>
    [Cai.Abstractions.Plugins.RecipePath]
    public required string Path { get; init; }

    /// <summary>
    /// A built-in chat format to use instead of the checkpoint's own (its tokenizer_config.json chat_template, else
    /// cai_chat_format): chatml, llama-3, mistral, gemma, phi-3 or human-assistant (the CAI paper's "Human:/Assistant:"
    /// turns). Unset (the default) keeps the checkpoint's. A policy trained from it keeps the chosen format.
    /// </summary>
    [System.ComponentModel.DataAnnotations.AllowedValues(null, "chatml", "llama-3", "mistral", "gemma", "phi-3", "human-assistant")]
    public string? ChatFormat { get; init; }
}

/// <summary>
/// A model served over the OpenAI HTTP API (<c>cai serve</c>, vLLM, TGI, Ollama, llama.cpp's server, OpenAI): raw text
/// and scoring through /completions, chat turns through /chat/completions when <see cref="Chat"/>. Its requests are
/// cached in the stage folder, so a resumed stage sends no request it already has an answer to.
/// </summary>
public sealed record RemoteModel : IValidatableObject
{
    /// <summary>Base URL of the API, ending in /v1 (e.g. http://127.0.0.1:8000/v1); http or https.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The model name the server serves (the request's "model"; cai serve's --served-model-name).</summary>
    public required string Model { get; init; }

    /// <summary>Environment variable holding the API key, sent as "Authorization: Bearer KEY". The key itself is never written in a recipe, log or run file.</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$", ErrorMessage = "must be an environment variable name (letters, digits, '_')")]
    public string? ApiKeyEnv { get; init; }

    /// <summary>Requests in flight at once to this endpoint.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>Seconds one request may take before it is abandoned and retried.</summary>
    [Range(0.01, 3600)]
    public double TimeoutS { get; init; } = 120;

    /// <summary>Retries of a request after a 429, a 5xx, a timeout, a reset connection or a malformed answer, before the stage fails.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; init; } = 6;

    /// <summary>The first retry's wait in seconds; each further retry doubles it (at most 60 s), with full jitter. A Retry-After header overrides it.</summary>
    [Range(0, 60)]
    public double BackoffS { get; init; } = 0.5;

    /// <summary>Sample assistant turns through /chat/completions (the server applies its chat template); otherwise every call uses /completions with the text rendered by chat_format.</summary>
    public bool Chat { get; init; }

    /// <summary>max_tokens of a scoring request (echo with logprobs): 0 where the server allows it (cai serve), 1 for servers that refuse 0 (the generated token is not counted).</summary>
    [Range(0, 1)]
    public int ScoreMaxTokens { get; init; } = 1;

    /// <summary>How the server scores a judge's choices: logprobs (the prompt echoed with its log-probabilities through /completions), top-logprobs (the choice's single-token label among the first generated token's top log-probabilities, through /chat/completions when chat is set) or votes (k sampled replies; the vote fraction is the label).</summary>
    public ScoringMethod Scoring { get; init; } = ScoringMethod.Logprobs;

    /// <summary>With scoring top-logprobs: how many top log-probabilities to ask for (OpenAI allows 20 on /chat/completions, 5 on /completions).</summary>
    [Range(1, 20)]
    public int TopLogprobs { get; init; } = 5;

    /// <summary>With scoring votes: replies sampled per question.</summary>
    [Range(1, 256)]
    public int Votes { get; init; } = 8;

    /// <summary>With scoring votes: the sampling temperature of the votes.</summary>
    [Range(0.01, 2.0)]
    public double VoteTemperature { get; init; } = 1.0;

    /// <summary>How conversations are rendered as text for /completions: the CAI paper's "\n\nHuman: …\n\nAssistant:" by default.</summary>
    public RemoteChatFormat ChatFormat { get; init; } = new();

    public SourceMap Source { get; init; } = SourceMap.None;

    /// <summary>How run.json, logs and provenance name it: model@endpoint (no key).</summary>
    public string Id => $"{Model}@{Endpoint.TrimEnd('/')}";

    /// <summary>Whether a resolved model (a checkpoint path or an <see cref="Id"/>) is a served model.</summary>
    public static bool IsId(string model) =>
        model.Contains("@http://", StringComparison.Ordinal) || model.Contains("@https://", StringComparison.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            yield return new ValidationResult(
                "must be an http or https URL without query, fragment or credentials (e.g. http://127.0.0.1:8000/v1), "
                + $"got {InputError.Quote(Endpoint)}",
                [nameof(Endpoint)]);
        if (ApiKeyEnv is { } name && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
            yield return new ValidationResult($"names the environment variable {name}, which is not set", [nameof(ApiKeyEnv)]);
    }
}

/// <summary>A human-assistant chat format (Cai.Models' ChatFormat; turns separated by a blank line) as a recipe writes it.</summary>
public sealed record RemoteChatFormat
{
    /// <summary>Prefix of a user turn.</summary>
    public string HumanPrefix { get; init; } = "Human:";

    /// <summary>Prefix of an assistant turn.</summary>
    public string AssistantPrefix { get; init; } = "Assistant:";
}
