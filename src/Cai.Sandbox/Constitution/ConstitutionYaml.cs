using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cai.Models.IO;

namespace Cai.Sandbox.Constitution;

/// <summary>Renders recipes/constitutions/harmless.yaml from <see cref="HarmlessConstitution"/> and <see cref="FewShotExamples"/>.</summary>
public static class ConstitutionYaml
{
    static readonly JsonSerializerOptions _quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render()
    {
        var yaml = new StringBuilder()
            .Append("# Generated from Cai.Sandbox (HarmlessConstitution, FewShotExamples) by `cai world --constitution <file>`.\n")
            .Append("# A test checks this file matches the code; edit the C# and regenerate.\n")
            .Append("name: ").Append(HarmlessConstitution.Name).Append('\n')
            .Append("principles:\n");
        foreach (var p in HarmlessConstitution.Principles)
        {
            yaml.Append("  - id: ").Append(p.Id).Append('\n');
            Field(yaml, "critique_request", p.CritiqueRequest);
            Field(yaml, "revision_request", p.RevisionRequest);
            Field(yaml, "comparison_question", p.ComparisonQuestion);
        }
        yaml.Append("few_shot:\n");
        foreach (var e in FewShotExamples.All)
        {
            yaml.Append("  - prompt: ").Append(Quote(e.Prompt)).Append('\n');
            Field(yaml, "response", e.Response);
            Field(yaml, "critique", e.Critique);
            Field(yaml, "revision", e.Revision);
        }
        return yaml.ToString();
    }

    public static void Write(string path) => AtomicFile.WriteAllText(path, Render());

    static void Field(StringBuilder yaml, string key, string value) => yaml.Append("    ").Append(key).Append(": ").Append(Quote(value)).Append('\n');

    // A JSON string is a valid YAML double-quoted scalar.
    static string Quote(string value) => JsonSerializer.Serialize(value, _quoting);
}
