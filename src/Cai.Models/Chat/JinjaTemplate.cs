namespace Cai.Models.Chat;

/// <summary>
/// A Jinja template in Hugging Face's chat-template environment: jinja2's sandbox with trim_blocks and lstrip_blocks,
/// the globals raise_exception and strftime_now, the tojson filter of transformers, and the generation tag. Output is
/// byte-identical to Python's jinja2 for the subset chat templates use; anything else fails when parsed, naming the
/// construct and its line and column. Pipeline: <see cref="JinjaLexer"/> (tokens) → <see cref="JinjaParser"/>
/// (the syntax tree of JinjaSyntax.cs) → <see cref="JinjaEvaluator"/> (output), with Python's value semantics in
/// <see cref="PythonValue"/>, <see cref="PythonOperators"/> and <see cref="PythonText"/>.
/// </summary>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<Stmt> _body;
    private readonly IReadOnlyDictionary<IReadOnlyList<Stmt>, string[]> _undefinedAtEntry;
    private readonly JinjaOptions _options;
    private readonly SourceText _text;

    private JinjaTemplate(SourceText text, IReadOnlyList<Stmt> body, bool hasGenerationBlocks, JinjaOptions options)
    {
        _text = text;
        _body = body;
        _undefinedAtEntry = JinjaScopes.Analyze(body);
        HasGenerationBlocks = hasGenerationBlocks;
        _options = options;
    }

    /// <summary>The name errors start with, e.g. "chat_template".</summary>
    public string Name => _text.Name;

    /// <summary>Whether the template marks assistant text with <c>{% generation %}</c> blocks.</summary>
    public bool HasGenerationBlocks { get; }

    /// <summary>Parses a template.</summary>
    /// <param name="source">The template text.</param>
    /// <param name="name">The name errors start with ("name:line:column: message").</param>
    /// <param name="options">Limits and clock; <see cref="JinjaOptions.Default"/> when null.</param>
    /// <exception cref="JinjaTemplateException">A syntax error or an unsupported construct.</exception>
    public static JinjaTemplate Parse(string source, string name = "chat_template", JinjaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= JinjaOptions.Default;
        options.Validate();
        var text = new SourceText(name, JinjaLexer.NormalizeSource(source));
        try
        {
            var (body, hasGeneration) = JinjaParser.Parse(text, options.MaxNestingDepth);
            return new JinjaTemplate(text, body, hasGeneration, options);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new JinjaTemplateException(name, 1, 1, "the template nests too deeply for the stack", JinjaErrorKind.Limit);
        }
    }

    /// <summary>Renders with these variables (strings, numbers, bools, null, lists, dictionaries, JSON nodes).</summary>
    /// <exception cref="JinjaTemplateException">A runtime error, a limit, or the template's raise_exception.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables) => RenderCore(variables, trackGeneration: false).Text;

    /// <summary>Renders and returns the spans (start, length in UTF-16 units) written by <c>{% generation %}</c>
    /// blocks, as transformers' return_assistant_tokens_mask records them.</summary>
    public (string Text, IReadOnlyList<(int Start, int Length)> GenerationSpans) RenderWithGenerationSpans(IReadOnlyDictionary<string, object?> variables) =>
        RenderCore(variables, trackGeneration: true);

    private (string Text, IReadOnlyList<(int Start, int Length)> GenerationSpans) RenderCore(IReadOnlyDictionary<string, object?> variables, bool trackGeneration)
    {
        ArgumentNullException.ThrowIfNull(variables);
        try
        {
            return JinjaEvaluator.Render(_body, _undefinedAtEntry, variables, _options, trackGeneration);
        }
        catch (JinjaRuntimeError e)
        {
            var (line, column) = _text.Locate(Math.Max(e.Position, 0));
            string message = e.Kind == JinjaErrorKind.Raised ? "the template raised an error: " + e.Message : e.Message;
            throw new JinjaTemplateException(Name, line, column, message, e.Kind, e.Kind == JinjaErrorKind.Raised ? e.Message : null);
        }
    }
}

/// <summary>What went wrong in a template.</summary>
public enum JinjaErrorKind
{
    /// <summary>The template is not valid Jinja.</summary>
    Syntax,
    /// <summary>Valid Jinja outside the subset this interpreter supports (a tag, filter, test, method or function).</summary>
    Unsupported,
    /// <summary>An error while rendering, as Python would raise (undefined attribute of an undefined value, a type error).</summary>
    Runtime,
    /// <summary>The template called raise_exception(message).</summary>
    Raised,
    /// <summary>The template exceeded a <see cref="JinjaOptions"/> limit.</summary>
    Limit,
}

/// <summary>An error in a template, with its position: "name:line:column: message".</summary>
public sealed class JinjaTemplateException : Exception
{
    /// <summary>Creates the exception; the message is "name:line:column: reason".</summary>
    public JinjaTemplateException(string templateName, int line, int column, string reason, JinjaErrorKind kind, string? raisedMessage = null)
        : base($"{templateName}:{line}:{column}: {reason}")
    {
        TemplateName = templateName;
        Line = line;
        Column = column;
        Reason = reason;
        Kind = kind;
        RaisedMessage = raisedMessage;
    }

    /// <summary>The template's name, e.g. "chat_template".</summary>
    public string TemplateName { get; }
    /// <summary>1-based line in the template.</summary>
    public int Line { get; }
    /// <summary>1-based column in the template.</summary>
    public int Column { get; }
    /// <summary>The message without the position.</summary>
    public string Reason { get; }
    /// <summary>What kind of error.</summary>
    public JinjaErrorKind Kind { get; }
    /// <summary>For <see cref="JinjaErrorKind.Raised"/>, the message the template passed to raise_exception.</summary>
    public string? RaisedMessage { get; }
}

/// <summary>Limits that keep a hostile template from hanging or exhausting memory, and the clock of strftime_now.</summary>
public sealed record JinjaOptions
{
    /// <summary>The defaults.</summary>
    public static JinjaOptions Default { get; } = new();

    /// <summary>Most characters of the output and of any string or list a template builds. Default 10,000,000; 1 to 1,000,000,000.</summary>
    public int MaxOutputLength { get; init; } = 10_000_000;

    /// <summary>Most loop iterations plus macro calls in one rendering. Default 10,000,000; 1 to 10,000,000,000.</summary>
    public long MaxSteps { get; init; } = 10_000_000;

    /// <summary>Deepest nesting of macro calls (recursion). Default 64; 1 to 1,000.</summary>
    public int MaxCallDepth { get; init; } = 64;

    /// <summary>Deepest nesting of blocks and expressions the parser accepts. Default 100; 1 to 1,000.</summary>
    public int MaxNestingDepth { get; init; } = 100;

    /// <summary>The local time strftime_now formats. Default <see cref="DateTime.Now"/>.</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.Now;

    internal void Validate()
    {
        static void Check(bool ok, string name, string range)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, $"JinjaOptions.{name} must be {range}.");
        }
        Check(MaxOutputLength is >= 1 and <= 1_000_000_000, nameof(MaxOutputLength), "1 to 1,000,000,000");
        Check(MaxSteps is >= 1 and <= 10_000_000_000, nameof(MaxSteps), "1 to 10,000,000,000");
        Check(MaxCallDepth is >= 1 and <= 1_000, nameof(MaxCallDepth), "1 to 1,000");
        Check(MaxNestingDepth is >= 1 and <= 1_000, nameof(MaxNestingDepth), "1 to 1,000");
        ArgumentNullException.ThrowIfNull(Clock, nameof(Clock));
    }
}
