using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cai.Core.Recipes.Yaml;
using Cai.Abstractions.Input;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Text;
using Cai.Models;
using Parquet.Serialization;

namespace Cai.Core.Prompts;

/// <summary>
/// A named set of prompts, read from JSONL (one object per line) or Parquet (one row per prompt). Each record gives
/// its prompt in one of the formats people have: <c>prompt</c> (this project's: <c>{"id", "prompt", "category",
/// "kind"}</c>), <c>messages</c> (a multi-turn list of <c>{"role", "content"}</c>, roles system, user and assistant,
/// ending with the user's turn), or Anthropic hh-rlhf's <c>transcript</c> (red-team attempts) or <c>chosen</c>/<c>rejected</c>
/// (<c>"\n\nHuman: … \n\nAssistant: …"</c> text, of which the prompt is the first human turn). A <c>fields:</c> map
/// names other columns; an absent id is made from the record's content (<see cref="StableId"/>).
/// </summary>
/// <param name="Name">Its name under the recipe's prompts:.</param>
/// <param name="Path">The file.</param>
/// <param name="Kind">What it is for (declared, or from its name).</param>
/// <param name="Prompts">Its prompts in file order.</param>
public sealed partial record PromptSet(string Name, string Path, PromptSetKind Kind, IReadOnlyList<PromptRecord> Prompts)
{
    /// <summary>The names a record's fields are read under (each renamed by a <c>fields:</c> map).</summary>
    public static readonly IReadOnlyList<string> FieldNames =
        ["id", "prompt", "messages", "transcript", "chosen", "rejected", "category", "kind"];

    static readonly HashSet<string> _native = ["id", "prompt", "category", "kind"];

    /// <summary>Longest line of a prompt file.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>Most prompts in a set.</summary>
    public const int MaxPrompts = 1_000_000;

    /// <summary>Largest prompt file.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>
    /// Reads a prompt set: JSONL line by line (a regular file, strict UTF-8, lines of at most <see cref="MaxLineBytes"/>),
    /// or Parquet when the file ends in .parquet. Throws <see cref="InputException"/> naming the file and the line (JSONL)
    /// or row and column (Parquet) of every bad record (the first <see cref="YamlBinder.MaxErrors"/>, after which it stops).
    /// </summary>
    /// <param name="name">Its name under the recipe's prompts:.</param>
    /// <param name="path">The file.</param>
    /// <param name="kind">What it is for, or null for the kind its name implies.</param>
    /// <param name="fields">Column names by field name (<see cref="FieldNames"/>), for files whose columns are named otherwise.</param>
    public static PromptSet Load(string name, string path, PromptSetKind? kind = null, IReadOnlyDictionary<string, string>? fields = null)
    {
        var errors = new List<InputError>();
        int more = 0;
        void Error(SourceLocation at, string message)
        {
            if (errors.Count < YamlBinder.MaxErrors) errors.Add(new(at, message));
            else more++;
        }
        if (fields is not null)
            foreach (var key in fields.Keys.Where(k => !FieldNames.Contains(k)))
                Error(new SourceLocation(path),
                    $"fields: unknown field {InputError.Quote(key)} (expected: {string.Join(", ", FieldNames)})");
        InputException.ThrowIfAny(errors);
        var reader = new RecordReader(fields, Error);
        var prompts = new List<PromptRecord>();
        var ids = new HashSet<string>();
        var made = new Dictionary<string, int>();
        bool parquet = path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
        foreach (var (at, record) in parquet ? ParquetRows(path) : JsonlRows(path, Error))
        {
            if (errors.Count >= YamlBinder.MaxErrors)
            {
                more++; // a file of nothing but bad records (the wrong file): stop reading, do not count them all
                break;
            }
            if (prompts.Count >= MaxPrompts) throw new InputException(at.Location, $"{at.Prefix}more than {MaxPrompts} prompts");
            if (record is null || reader.Read(record.Value, at, strict: !parquet) is not { } read) continue;
            string id;
            if (read.Id is { } given)
            {
                id = given;
                if (!ids.Add(id)) Error(at.Location, $"{at.Prefix}duplicate id {InputError.Quote(id)}");
            }
            else
            {
                // the same content twice gets "-2", "-3": still the same ids for the same file
                string hash = StableId(read.Dialogue);
                int n = made[hash] = made.GetValueOrDefault(hash) + 1;
                id = n == 1 ? hash : $"{hash}-{n}";
                while (!ids.Add(id)) id = $"{hash}-{++n}";
                made[hash] = n;
            }
            string prompt = read.Dialogue.Turns[^1].Text;
            prompts.Add(new PromptRecord(id, prompt, read.Category, read.Kind, read.Dialogue.Turns.Count > 1 ? read.Dialogue : null));
        }
        if (prompts.Count == 0 && errors.Count == 0)
            Error(new SourceLocation(path), "the prompt set is empty: expected one JSON object per line");
        InputException.ThrowIfAny(errors, more);
        return new PromptSet(name, path, kind ?? PromptSetKinds.FromName(name), prompts);
    }

    /// <summary>
    /// The id of a record without one: "p" and the first 12 hex digits of the SHA-256 of its turns (role and text), so
    /// that the same file gives the same ids.
    /// </summary>
    /// <param name="conversation">The record's conversation.</param>
    public static string StableId(Conversation conversation)
    {
        var text = new StringBuilder();
        foreach (var turn in conversation.Turns)
            text.Append(turn.Role.ToString().ToLowerInvariant()).Append('\0').Append(turn.Text).Append('\0');
        return "p" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }

    /// <summary>Where a record is: its location and the prefix of its messages ("row 3: " in Parquet).</summary>
    readonly record struct Where(SourceLocation Location, string Prefix);

    /// <summary>Each line's object, or null after reporting a line that is not JSON.</summary>
    static IEnumerable<(Where At, JsonElement? Record)> JsonlRows(string path, Action<SourceLocation, string> error)
    {
        foreach (var (lineNumber, line) in InputFile.ReadLines(path, MaxFileBytes, MaxLineBytes))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement? record = null;
            try
            {
                using var json = JsonDocument.Parse(line);
                record = json.RootElement.Clone();
            }
            catch (JsonException e)
            {
                error(new SourceLocation(path, lineNumber, (int)(e.BytePositionInLine ?? 0) + 1), $"invalid JSON: {JsonError(e)}");
            }
            yield return (new Where(new SourceLocation(path, lineNumber, 1), ""), record);
        }
    }

    /// <summary>Each row of a Parquet file as a JSON object of its columns (lists and structs nested as they are).</summary>
    static IEnumerable<(Where At, JsonElement? Record)> ParquetRows(string path)
    {
        IList<Dictionary<string, object>> rows;
        using (var stream = InputFile.OpenRead(path, MaxFileBytes))
        {
            try { rows = TorchThread.Wait(ParquetSerializer.DeserializeUntypedAsync(stream)).Data; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InputException(new SourceLocation(path),
                    $"not a readable Parquet file ({e.Message.Split('\n')[0].TrimEnd('.')})");
            }
        }
        var location = new SourceLocation(path);
        for (int i = 0; i < rows.Count; i++)
            yield return (new Where(location, $"row {i + 1}: "), JsonSerializer.SerializeToElement(rows[i]));
    }

    /// <summary>A record read: its conversation (ending with the user's turn), and what else it gives.</summary>
    sealed record Read(string? Id, Conversation Dialogue, string? Category, string? Kind);

    /// <summary>Reads records in any of the formats, with the columns of a <c>fields:</c> map.</summary>
    sealed class RecordReader(IReadOnlyDictionary<string, string>? fields, Action<SourceLocation, string> error)
    {
        string Column(string field) => fields?.GetValueOrDefault(field) ?? field;

        public Read? Read(JsonElement record, Where at, bool strict)
        {
            void Error(string message) => error(at.Location, at.Prefix + message);
            if (record.ValueKind != JsonValueKind.Object)
            {
                Error("expected a JSON object {\"id\": ..., \"prompt\": ...}");
                return null;
            }
            bool Has(string field) => record.TryGetProperty(Column(field), out var v) && v.ValueKind != JsonValueKind.Null;
            // this project's own format is read strictly, so a misspelt key is an error; other formats carry columns of their own
            if (strict && fields is null && !Has("messages") && !Has("transcript") && !Has("chosen") && !Has("rejected"))
                foreach (var property in record.EnumerateObject().Where(p => !_native.Contains(p.Name)))
                    Error($"unknown key {InputError.Quote(property.Name)} (expected: id, prompt, category, kind)");
            string? id = Id(record, Error);
            Conversation? dialogue =
                Has("messages") ? Messages(record.GetProperty(Column("messages")), Error)
                : Has("prompt") ? Text(record, "prompt", Error) is { } prompt ? Conversation.FromPrompt(prompt) : null
                : Has("transcript") ? FirstHumanTurn(record, "transcript", Error)
                : Has("chosen") ? FirstHumanTurn(record, "chosen", Error)
                : Has("rejected") ? FirstHumanTurn(record, "rejected", Error)
                : Missing(Error);
            string? category = Has("category") ? Text(record, "category", Error) : null;
            string? kind = Has("kind") ? Text(record, "kind", Error) : null;
            bool badId = record.TryGetProperty(Column("id"), out _) && id is null;
            return dialogue is null || badId ? null : new Read(id, dialogue, category, kind);
        }

        Conversation? Missing(Action<string> error)
        {
            error($"missing required key '{Column("prompt")}' (or '{Column("messages")}', '{Column("transcript")}', '{Column("chosen")}')");
            return null;
        }

        string? Id(JsonElement record, Action<string> error)
        {
            if (!record.TryGetProperty(Column("id"), out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number))
                return number.ToString(CultureInfo.InvariantCulture);
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text)) return text;
            error($"'{Column("id")}' must be a non-empty string or an integer");
            return null;
        }

        string? Text(JsonElement record, string field, Action<string> error)
        {
            var value = record.GetProperty(Column(field));
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text)) return text;
            error($"'{Column(field)}' must be a non-empty string");
            return null;
        }

        Conversation? Messages(JsonElement messages, Action<string> error)
        {
            string key = Column("messages");
            if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                error($"'{key}' must be a non-empty list of {{\"role\", \"content\"}}");
                return null;
            }
            var turns = new List<Turn>();
            int index = 0;
            foreach (var message in messages.EnumerateArray())
            {
                string at = $"'{key}'[{index}]";
                if (message.ValueKind != JsonValueKind.Object
                    || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                    || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                {
                    error($"{at} must be an object with string 'role' and 'content'");
                    return null;
                }
                Role? parsed = role.GetString() switch
                {
                    "user" => Role.User,
                    "assistant" => Role.Assistant,
                    "system" => Role.System,
                    _ => null,
                };
                if (parsed is null)
                {
                    error($"{at}: unknown role {InputError.Quote(role.GetString())} (expected: system, user, assistant)");
                    return null;
                }
                if (parsed == Role.System && index > 0)
                {
                    error($"{at}: a system message must come first");
                    return null;
                }
                turns.Add(new Turn(parsed.Value, content.GetString()!));
                index++;
            }
            if (turns[^1].Role != Role.User || string.IsNullOrWhiteSpace(turns[^1].Text))
            {
                error($"'{key}' must end with a non-empty user message (the prompt to answer)");
                return null;
            }
            return new Conversation(turns);
        }

        Conversation? FirstHumanTurn(JsonElement record, string field, Action<string> error)
        {
            if (Text(record, field, error) is not { } text) return null;
            var match = HumanTurn().Match(text);
            if (!match.Success || string.IsNullOrWhiteSpace(match.Groups[1].Value))
            {
                error($"'{Column(field)}' has no \"Human:\" turn (expected \"\\n\\nHuman: … \\n\\nAssistant: …\")");
                return null;
            }
            return Conversation.FromPrompt(match.Groups[1].Value.Trim());
        }
    }

    /// <summary>The first human turn of an hh-rlhf dialogue, up to the next turn or the end.</summary>
    [GeneratedRegex(@"^\s*Human:(.*?)(?:\n\nAssistant:|\n\nHuman:|$)", RegexOptions.Singleline)]
    private static partial Regex HumanTurn();

    /// <summary>A System.Text.Json message without its position suffix (the location carries it).</summary>
    static string JsonError(JsonException e)
    {
        string message = e.Message;
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at > 0 ? message[..at] : message).Replace(" Path: $ |", "").TrimEnd(' ', '|', '.');
    }
}
