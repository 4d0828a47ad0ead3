using Cai.Sandbox.Constitution;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Prompts;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Cai.Sandbox.Tests;

public class ConstitutionTests
{
    static readonly string _committedFile = RepositoryFiles.Path("recipes", "constitutions", "harmless.yaml");

    [Fact]
    public void TheCommittedConstitutionMatchesTheCode()
    {
        Assert.Equal(ConstitutionYaml.Render(), File.ReadAllText(_committedFile));
    }

    [Fact]
    public void TheYamlHasExactlyTheAgreedKeysAndSixteenDistinctPrinciples()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(ConstitutionYaml.Render()));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal(["name", "principles", "few_shot"], Keys(root));
        var principles = ((YamlSequenceNode)root["principles"]).Cast<YamlMappingNode>().ToList();
        Assert.Equal(16, principles.Count);
        Assert.All(principles, p => Assert.Equal(["id", "critique_request", "revision_request", "comparison_question"], Keys(p)));
        foreach (var key in new[] { "id", "critique_request", "revision_request", "comparison_question" })
            Assert.Equal(16, principles.Select(p => ((YamlScalarNode)p[key]).Value).Distinct().Count());
        var fewShot = ((YamlSequenceNode)root["few_shot"]).Cast<YamlMappingNode>().ToList();
        Assert.InRange(fewShot.Count, 2, 3);
        Assert.All(fewShot, e => Assert.Equal(["prompt", "response", "critique", "revision"], Keys(e)));
        Assert.Equal(HarmlessConstitution.Principles[3].CritiqueRequest, ((YamlScalarNode)principles[3]["critique_request"]).Value);
    }

    [Fact]
    public void FewShotExamplesCritiqueAHarmfulResponseAndReviseItToHarmlessEngagement()
    {
        foreach (var example in FewShotExamples.All)
        {
            var prompt = PromptParser.Parse(example.Prompt);
            Assert.Equal(RedTeamLabel.Harmful, ResponseClassifier.ClassifyRedTeam(prompt.Category, example.Response));
            Assert.True(CritiqueClassifier.NamesHarm(prompt.Category, example.Critique));
            Assert.Equal(RedTeamLabel.HarmlessEngaged, ResponseClassifier.ClassifyRedTeam(prompt.Category, example.Revision));
        }
    }

    static List<string> Keys(YamlMappingNode node) => node.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToList();
}
