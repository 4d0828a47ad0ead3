using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Models.IO;

namespace Cai.Models.Tokenization;

/// <summary>
/// tokenizer_config.json and special_tokens_map.json: special token roles, added tokens, chat format (the
/// <c>chat_template</c> source where there is one, else <c>cai_chat_format</c>), and generation_config.json's eos ids.
/// </summary>
internal sealed record TokenizerConfigFile(SpecialTokens Specials, ChatFormat ChatFormat, IReadOnlyList<AddedToken> AddedTokensDecoder, JsonObject Extra)
{
    public const string GenerationConfigFileName = "generation_config.json";

    /// <summary>The chat template's Jinja source (chat_template.jinja or tokenizer_config.json's chat_template), or null.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>generation_config.json's eos_token_id (one id or a list); empty without the file.</summary>
    public IReadOnlyList<int> GenerationEosIds { get; init; } = [];

    public const string FileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";
    private static readonly string[] _roles = ["bos_token", "eos_token", "pad_token"];

    public static TokenizerConfigFile Read(string directory)
    {
        try
        {
            return Parse(directory);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"{Path.Combine(directory, FileName)} or {SpecialTokensMapFileName}: {e.Message}", e);
        }
    }

    private static TokenizerConfigFile Parse(string directory)
    {
        string configPath = Path.Combine(directory, FileName);
        string mapPath = Path.Combine(directory, SpecialTokensMapFileName);
        var config = File.Exists(configPath) ? ParseObject(configPath) : new JsonObject();
        var map = File.Exists(mapPath) ? ParseObject(mapPath) : new JsonObject();

        string? Role(string key) =>
            TokenText(config[key], configPath, key) ?? TokenText(map[key], mapPath, key);

        var added = new List<AddedToken>();
        if (config["added_tokens_decoder"] is JsonObject decoder)
            foreach (var (id, token) in decoder)
                added.Add(new AddedToken(
                    int.TryParse(id, out int parsed) ? parsed : throw new FormatException($"{configPath}: added_tokens_decoder key \"{id}\" is not an id."),
                    TokenText(token, configPath, $"added_tokens_decoder.{id}") ?? throw new FormatException($"{configPath}: added_tokens_decoder.{id} has no content."),
                    token?["special"]?.GetValue<bool>() ?? false)
                {
                    LStrip = token?["lstrip"]?.GetValue<bool>() ?? false,
                    RStrip = token?["rstrip"]?.GetValue<bool>() ?? false,
                    Normalized = token?["normalized"]?.GetValue<bool>() ?? false,
                });

        var chat = config[ChatFormat.ConfigKey] is { } node ? ChatFormat.FromJson(node, configPath) : ChatFormat.Default;
        bool addBos = config["add_bos_token"] is JsonValue v && v.GetValue<bool>();
        return new TokenizerConfigFile(new SpecialTokens(Role("bos_token"), Role("eos_token"), Role("pad_token"), addBos), chat, added, config)
        {
            ChatTemplate = Chat.ChatTemplate.SourceFromDirectory(directory),
            GenerationEosIds = GenerationEos(Path.Combine(directory, GenerationConfigFileName)),
        };
    }

    private static IReadOnlyList<int> GenerationEos(string path)
    {
        if (!File.Exists(path)) return [];
        return ParseObject(path)["eos_token_id"] switch
        {
            null => [],
            JsonArray list => [.. list.Select(n => n?.GetValue<int>()
                ?? throw new FormatException($"{path}: eos_token_id must hold ids."))],
            JsonNode one => [one.GetValue<int>()],
        };
    }

    /// <summary>transformers' "legacy" (default true): text after an added token gets SentencePiece's dummy prefix.</summary>
    public bool Legacy => Extra["legacy"] is not JsonValue v || v.GetValue<bool>();

    /// <summary>Whether tokenizer_config.json says whether to add the bos token.</summary>
    public bool SetsAddBosToken => Extra.ContainsKey("add_bos_token");

    public void Write(string directory, IReadOnlyList<AddedToken> addedTokens)
    {
        var config = (JsonObject)Extra.DeepClone();
        var map = new JsonObject();
        string?[] values = [Specials.Bos, Specials.Eos, Specials.Pad];
        for (int i = 0; i < _roles.Length; i++)
        {
            config[_roles[i]] = values[i];
            if (values[i] is not null) map[_roles[i]] = values[i];
        }
        config["add_bos_token"] = Specials.AddBosToken;
        config["add_eos_token"] = false;
        var decoder = new JsonObject();
        foreach (var token in addedTokens.OrderBy(t => t.Id))
            decoder[token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = token.Content, ["lstrip"] = token.LStrip, ["normalized"] = token.Normalized, ["rstrip"] = token.RStrip,
                ["single_word"] = false, ["special"] = token.Special,
            };
        config["added_tokens_decoder"] = decoder;
        config["clean_up_tokenization_spaces"] ??= false;
        config["tokenizer_class"] ??= "PreTrainedTokenizerFast";
        if (ChatTemplate is null)
        {
            config.Remove(Chat.ChatTemplate.ConfigKey);
            config[ChatFormat.ConfigKey] = ChatFormat.ToJson();
        }
        else
        {
            config.Remove(ChatFormat.ConfigKey);
            config[Chat.ChatTemplate.ConfigKey] = ChatTemplate;
        }

        var options = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), config.ToJsonString(options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, SpecialTokensMapFileName), map.ToJsonString(options) + "\n");
    }

    private static JsonObject ParseObject(string path) =>
        JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException($"{path}: expected a JSON object.");

    // A role is either "text" or an AddedToken object {"content": "text", ...}.
    private static string? TokenText(JsonNode? node, string path, string key) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out string? text) => text,
        JsonObject obj when obj["content"] is JsonValue content => content.GetValue<string>(),
        _ => throw new FormatException($"{path}: \"{key}\" must be a string or an object with \"content\"."),
    };
}
