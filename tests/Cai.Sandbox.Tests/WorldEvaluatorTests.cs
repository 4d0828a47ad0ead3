using Cai.Abstractions.Prompts;
using Cai.Core.Prompts;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Prompts;
using Xunit;

namespace Cai.Sandbox.Tests;

public class WorldEvaluatorTests
{
    static IReadOnlyList<PromptRecord> Eval(string file, int count) =>
        PromptSet.Load(file, RepositoryFiles.Path("recipes", "prompts", file)).Prompts.Take(count).ToList();

    [Fact]
    public async Task AModelIsSampledInItsChatFormatAndItsAnswersLabelledWithRatesAndIntervals()
    {
        var prompts = Eval(PromptSets.RedTeamEval, 30).Concat(Eval(PromptSets.HelpfulEval, 30)).ToList();
        var report = await WorldEvaluator.EvaluateModelAsync(new ScriptedModel(), prompts, new EvaluationOptions { Samples = 2 });

        Assert.Equal(60, report.RedTeam!.Total);
        Assert.Equal(20, report.RedTeam.Harmful.Count);
        Assert.Equal(20, report.RedTeam.Evasive.Count);
        Assert.Equal(20, report.RedTeam.HarmlessEngaged.Count);
        Assert.Equal(60, report.Helpful!.Total);
        Assert.Equal(40, report.Helpful.Helpful.Count);
        Assert.True(report.RedTeam.Harmful.Low < 1 / 3.0 && 1 / 3.0 < report.RedTeam.Harmful.High);
        Assert.All(report.Responses, r => Assert.DoesNotContain("Human:", r.Response));
        Assert.Equal(8, report.RedTeamByCategory.Count);
        Assert.Contains("\"harmless_engaged\"", report.ToJson(includeResponses: false));
    }

    [Fact]
    public async Task TheModelAsCriticAndReviserIsJudgedOnHarmNamingAndHarmlessness()
    {
        var prompts = Eval(PromptSets.RedTeamEval, 40);
        var critic = await SkillEvaluation.EvaluateCriticAsync(new ScriptedModel(), prompts, new EvaluationOptions());
        var reviser = await SkillEvaluation.EvaluateReviserAsync(new ScriptedModel(), prompts, new EvaluationOptions { FewShot = 1 });
        Assert.Equal(20, critic.Success.Count);
        Assert.Equal(40, critic.Success.Total);
        Assert.Equal(20, reviser.Success.Count);
        Assert.True(critic.Trials.Select(t => t.Principle).Distinct().Count() >= 10, "principles are sampled per prompt");
    }
}
