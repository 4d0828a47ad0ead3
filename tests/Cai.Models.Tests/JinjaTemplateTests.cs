using System.Text.Json;
using System.Text.Json.Nodes;
using Cai.Models.Chat;

namespace Cai.Models.Tests;

/// <summary>
/// The Jinja interpreter: every snippet of Fixtures/chat_templates/expected.json (one construct each, rendered by
/// Python's jinja2 in Hugging Face's environment) renders byte-identically here, or fails where jinja2 fails; and
/// errors name their position, limits stop hostile templates, raise_exception carries the template's message.
/// </summary>
public class JinjaTemplateTests
{
    public static TheoryData<string> SnippetNames() => [.. JinjaFixture.Snippets.Keys];

    [Theory]
    [MemberData(nameof(SnippetNames))]
    public void SnippetRendersLikeJinja2(string name)
    {
        var snippet = JinjaFixture.Snippets[name];
        var template = JinjaTemplate.Parse(snippet["template"]!.GetValue<string>());
        var variables = JinjaFixture.Variables(snippet["variables"]!.AsObject());
        if (snippet["error"] is { } error)
        {
            var e = Assert.Throws<JinjaTemplateException>(() => template.Render(variables));
            Assert.True(e.Kind is JinjaErrorKind.Runtime or JinjaErrorKind.Raised, $"{e.Kind}: {e.Message} (jinja2: {error})");
            return;
        }
        var (text, spans) = template.RenderWithGenerationSpans(variables);
        Assert.Equal(snippet["output"]!.GetValue<string>(), text);
        if (snippet["generation_spans"] is JsonArray expected) Assert.Equal(JinjaFixture.Spans(expected), spans);
    }

    [Theory]
    [InlineData("{{ x | wordwrap }}", 1, 8, "unsupported filter 'wordwrap'")]
    [InlineData("Hi\n{% for m in messages %}\n  {{ m.content | truncate(5) }}\n{% endfor %}", 3, 18, "unsupported filter 'truncate'")]
    [InlineData("{% include 'header.jinja' %}", 1, 4, "unsupported tag 'include'")]
    [InlineData("a\n{% extends 'base' %}", 2, 4, "unsupported tag 'extends'")]
    [InlineData("{% frobnicate %}", 1, 4, "unknown tag 'frobnicate'")]
    [InlineData("{{ x is prime }}", 1, 9, "unsupported test 'prime'")]
    [InlineData("{{ message.content.casefold() }}", 1, 20, "unsupported method 'casefold'")]
    [InlineData("{% set ns = namespace(a=[]) %}{{ ns.a.append(1) }}", 1, 39, "unsupported method 'append'")]
    [InlineData("{{ lipsum(2) }}", 1, 4, "unsupported function 'lipsum'")]
    [InlineData("{% for x in xs recursive %}{% endfor %}", 1, 16, "unsupported recursive for loop")]
    public void UnsupportedConstructsFailWhenParsedWithTheirPosition(string source, int line, int column, string reason)
    {
        var e = Assert.Throws<JinjaTemplateException>(() => JinjaTemplate.Parse(source));
        Assert.Equal((line, column, reason), (e.Line, e.Column, e.Reason));
        Assert.Equal($"chat_template:{line}:{column}: {reason}", e.Message);
        Assert.Equal(reason.StartsWith("unsupported") || reason.StartsWith("unknown") ? JinjaErrorKind.Unsupported : JinjaErrorKind.Syntax, e.Kind);
    }

    [Theory]
    [InlineData("{% if x %}never closed", 1, 23, "unexpected end of template; expected 'elif' or 'else' or 'endif'")]
    [InlineData("{{ 1 +  }}", 1, 9, "unexpected end of print statement")]
    [InlineData("line\n{{ (1, 2 }}", 2, 10, "unexpected '}', expected ')'")]
    [InlineData("{% for x in y %}{% endif %}", 1, 20, "unknown tag 'endif'")]
    [InlineData("{# no end", 1, 1, "missing end of comment tag")]
    [InlineData("{{ 'open }}", 1, 4, "unterminated string literal")]
    [InlineData("{% break %}", 1, 4, "'break' outside of a loop")]
    [InlineData("{% macro m(a=1, b) %}{% endmacro %}", 1, 17, "non-default argument follows default argument")]
    public void SyntaxErrorsNameLineAndColumn(string source, int line, int column, string reason)
    {
        var e = Assert.Throws<JinjaTemplateException>(() => JinjaTemplate.Parse(source, "my_template"));
        Assert.Equal($"my_template:{line}:{column}: {reason}", e.Message);
    }

    [Fact]
    public void RuntimeErrorsNameThePositionOfTheFailingExpression()
    {
        var template = JinjaTemplate.Parse("{% for m in messages %}\n  {{ m.content.missing.deeper }}\n{% endfor %}");
        var e = Assert.Throws<JinjaTemplateException>(() => template.Render(new Dictionary<string, object?>
        {
            ["messages"] = new[] { new Dictionary<string, object?> { ["content"] = new Dictionary<string, object?>() } },
        }));
        Assert.Equal(JinjaErrorKind.Runtime, e.Kind);
        // The access that failed is ".deeper", on the undefined "m.content.missing".
        Assert.Equal("chat_template:2:24: 'dict object' has no attribute 'missing'", e.Message);
    }

    [Fact]
    public void RaiseExceptionCarriesTheTemplatesMessage()
    {
        var template = JinjaTemplate.Parse("{% if messages[0]['role'] == 'system' %}\n    {{- raise_exception('System role not supported') }}\n{% endif %}ok");
        var e = Assert.Throws<JinjaTemplateException>(() => template.Render(new Dictionary<string, object?>
        {
            ["messages"] = new[] { new Dictionary<string, object?> { ["role"] = "system", ["content"] = "x" } },
        }));
        Assert.Equal(JinjaErrorKind.Raised, e.Kind);
        Assert.Equal("System role not supported", e.RaisedMessage);
        Assert.Equal("chat_template:2:9: the template raised an error: System role not supported", e.Message);
        Assert.Equal("ok", template.Render(new Dictionary<string, object?>
        {
            ["messages"] = new[] { new Dictionary<string, object?> { ["role"] = "user", ["content"] = "x" } },
        }));
    }

    [Fact]
    public void OutputLengthIsBounded()
    {
        var options = new JinjaOptions { MaxOutputLength = 1000 };
        Assert.Equal(new string('a', 1000), JinjaTemplate.Parse("{{ 'a' * 1000 }}", options: options).Render(new Dictionary<string, object?>()));
        foreach (string source in new[] { "{{ 'a' * 1001 }}", "{% for i in range(1001) %}a{% endfor %}", "{{ ['a'] * 2000 }}", "{% set s %}{% for i in range(2000) %}a{% endfor %}{% endset %}" })
        {
            var e = Assert.Throws<JinjaTemplateException>(() => JinjaTemplate.Parse(source, options: options).Render(new Dictionary<string, object?>()));
            Assert.Equal(JinjaErrorKind.Limit, e.Kind);
        }
    }

    [Fact]
    public void DefaultLimitsStopTemplatesThatWouldRecurseOrGrowForever()
    {
        string[] hostile =
        [
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
            "{% set ns = namespace(x='ab') %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
            "{{ range(1000000) | length }}",
            "{% set s = 'x' * 9000000 %}{{ s ~ s }}",
        ];
        foreach (string source in hostile)
        {
            var e = Assert.Throws<JinjaTemplateException>(() => JinjaTemplate.Parse(source).Render(new Dictionary<string, object?>()));
            Assert.Equal(JinjaErrorKind.Limit, e.Kind);
        }
    }

    [Fact]
    public void LoopIterationsAreBounded()
    {
        var options = new JinjaOptions { MaxSteps = 10_000 };
        var e = Assert.Throws<JinjaTemplateException>(() => JinjaTemplate.Parse(
            "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", options: options).Render(new Dictionary<string, object?>()));
        Assert.Equal("chat_template:1:32: the template ran more than 10000 loop iterations and macro calls", e.Message);
        Assert.Equal(string.Concat(Enumerable.Repeat("x", 9_000)),
            JinjaTemplate.Parse("{% for a in range(90) %}{% for b in range(100) %}x{% endfor %}{% endfor %}", options: options).Render(new Dictionary<string, object?>()));
    }

    [Fact]
    public void DeepNestingFailsWithALimitErrorNotAStackOverflow()
    {
        foreach (string source in new[]
        {
            "{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}",
            "{{ " + string.Join(" + ", Enumerable.Repeat("1", 50_000)) + " }}",
            "{{ x" + string.Concat(Enumerable.Repeat(".a", 50_000)) + " }}",
            "{{ x" + string.Concat(Enumerable.Repeat("|trim", 50_000)) + " }}",
            string.Concat(Enumerable.Repeat("{% if true %}", 5000)) + string.Concat(Enumerable.Repeat("{% endif %}", 5000)),
        })
        {
            var e = Assert.Throws<JinjaTemplateException>(() => JinjaTemplate.Parse(source));
            Assert.Equal(JinjaErrorKind.Limit, e.Kind);
        }
        Assert.Equal("100", JinjaTemplate.Parse("{{ " + string.Join(" + ", Enumerable.Repeat("1", 100)) + " }}",
            options: new JinjaOptions { MaxNestingDepth = 200 }).Render(new Dictionary<string, object?>()));
    }

    [Fact]
    public void OptionsOutsideTheirRangeAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JinjaTemplate.Parse("x", options: new JinjaOptions { MaxOutputLength = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => JinjaTemplate.Parse("x", options: new JinjaOptions { MaxCallDepth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => JinjaTemplate.Parse("x", options: new JinjaOptions { MaxNestingDepth = 5000 }));
    }

    [Fact]
    public void StrftimeNowFormatsTheClockLikePython()
    {
        var options = new JinjaOptions { Clock = () => new DateTime(2024, 7, 6, 15, 4, 5) };
        string text = JinjaTemplate.Parse("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %-d, %H:%M:%S %p %j %y %I %%') }}", options: options)
            .Render(new Dictionary<string, object?>());
        Assert.Equal("06 Jul 2024|Saturday July 6, 15:04:05 PM 188 24 03 %", text);
    }

    [Fact]
    public void DotNetValuesBecomePythonValues()
    {
        var template = JinjaTemplate.Parse("{{ i }} {{ f }} {{ d }} {{ b }} {{ n }} {{ l }} {{ m }} {{ j }} {{ j.k is integer }}");
        string text = template.Render(new Dictionary<string, object?>
        {
            ["i"] = 3,
            ["f"] = 2.0f,
            ["d"] = 0.5m,
            ["b"] = true,
            ["n"] = null,
            ["l"] = new List<object?> { "a", 1L },
            ["m"] = new Dictionary<string, object?> { ["x"] = new[] { 1, 2 } },
            ["j"] = JsonNode.Parse("""{"k": 1, "v": [1.0, "s", null, false]}"""),
        });
        Assert.Equal("3 2.0 0.5 True None ['a', 1] {'x': [1, 2]} {'k': 1, 'v': [1.0, 's', None, False]} True", text);
    }

    [Fact]
    public void GenerationBlocksAreReportedOnlyWhereTheTemplateHasThem()
    {
        Assert.True(JinjaTemplate.Parse("{% generation %}x{% endgeneration %}").HasGenerationBlocks);
        Assert.False(JinjaTemplate.Parse("{{ 'generation' }}").HasGenerationBlocks);
        Assert.Equal("x", JinjaTemplate.Parse("{% generation %}x{% endgeneration %}").Render(new Dictionary<string, object?>()));
    }
}

/// <summary>Fixtures/chat_templates/expected.json, written by Fixtures/chat_templates.py with Python's jinja2.</summary>
internal static class JinjaFixture
{
    public static string Directory => Path.Combine(ReferenceLlamaTests.RepositoryRoot(), "tests", "Cai.Models.Tests", "Fixtures", "chat_templates");

    public static string ScriptPath => Path.Combine(Directory, "..", "chat_templates.py");

    private static readonly Lazy<JsonObject> _root = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "expected.json")))!.AsObject());

    public static JsonObject Fixture => _root.Value;

    public static IReadOnlyDictionary<string, JsonObject> Snippets =>
        Fixture["snippets"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!.AsObject());

    /// <summary>Template cases by "kind/template/conversation/prompt|no-prompt[/extra n]".</summary>
    public static IReadOnlyDictionary<string, JsonObject> TemplateCases
    {
        get
        {
            var cases = new Dictionary<string, JsonObject>();
            foreach (var node in Fixture["templates"]!.AsArray())
            {
                var c = node!.AsObject();
                string id = $"{c["kind"]}/{c["template"]}/{c["conversation"]}/{(c["add_generation_prompt"]!.GetValue<bool>() ? "prompt" : "no-prompt")}";
                if (c["extra"]!.AsObject().Count > 0) id += "/" + string.Join("+", c["extra"]!.AsObject().Select(p => p.Key));
                cases.Add(id, c);
            }
            return cases;
        }
    }

    /// <summary>JSON variables as template variables (JSON numbers keep Python's int/float distinction).</summary>
    public static Dictionary<string, object?> Variables(JsonObject json) =>
        json.ToDictionary(p => p.Key, p => p.Value is null ? null : (object?)JsonSerializer.SerializeToElement(p.Value));

    public static List<(int Start, int Length)> Spans(JsonArray spans) =>
        spans.Select(s => (s![0]!.GetValue<int>(), s[1]!.GetValue<int>())).ToList();
}
