using Cai.Abstractions.Feedback;
using Cai.Abstractions.Prompts;
using Cai.Abstractions.Training;

namespace Cai.Abstractions.Tests;

/// <summary>The contracts both the host and the plugins read: dataset rows, revision ids, prompt-set kinds, decisions.</summary>
public sealed class ContractTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cai-contracts-").FullName;

    [Fact]
    public void RevisionIdsCarryTheItemAndTheRound()
    {
        Assert.Equal("red_team/rt-0001/0#r3", RevisionId.Of("red_team/rt-0001/0", 3));
        Assert.Equal("red_team/rt-0001/0", RevisionId.ItemOf("red_team/rt-0001/0#r3"));
        Assert.Equal("helpful/h-0001/0", RevisionId.ItemOf("helpful/h-0001/0"));
    }

    [Fact]
    public void SftRowsAreWrittenInTheirColumnOrderAndReadBack()
    {
        var row = new SftRow(RevisionId.Of("a", 1), "Human: hi\n\nAssistant:", " Hello.", SftRow.Revision, 1);
        Assert.Equal("""{"id":"a#r1","prompt":"Human: hi\n\nAssistant:","completion":" Hello.","source":"revision","round":1}""",
            row.ToJson().ToJsonString());
        string path = Path.Combine(_dir, SftRow.FileName);
        File.WriteAllText(path, row.ToJson().ToJsonString() + "\n\n" + """{"id":"b","prompt":"p","completion":" c"}""" + "\n");
        Assert.Equal([row, new SftRow("b", "p", " c", SftRow.Revision, 0)], SftRow.Read(path));
        Assert.Equal(path, TrainingDatasets.Find([Path.Combine(_dir, PromptRow.FileName), path], SftRow.FileName));
        Assert.Null(TrainingDatasets.Find([path], PreferenceRow.FileName));
    }

    [Fact]
    public void BadDatasetRowsNameTheFileAndLine()
    {
        string path = Path.Combine(_dir, PreferenceRow.FileName);
        File.WriteAllText(path, """{"id":"x","prompt":"p","chosen":" a","rejected":" b","p_chosen":0.75}""" + "\n"
            + """{"prompt":"p","chosen":" a"}""" + "\n");
        Assert.Equal($"{path}:2: no \"rejected\"", Assert.Throws<InvalidDataException>(() => PreferenceRow.Read(path)).Message);
        File.WriteAllText(path, """{"prompt":"p","chosen":" a","rejected":" b","p_chosen":1.5}""" + "\n");
        Assert.Equal($"{path}:1: p_chosen 1.5 is not a probability",
            Assert.Throws<InvalidDataException>(() => PreferenceRow.Read(path)).Message);
        File.WriteAllText(path, """{"prompt":"p","chosen":" a","rejected":" b"}""" + "\nnot json\n");
        Assert.StartsWith($"{path}:2: malformed JSON row", Assert.Throws<InvalidDataException>(() => PreferenceRow.Read(path)).Message);
    }

    [Theory]
    [InlineData("red_team", PromptSetKind.RedTeam)]
    [InlineData("helpful", PromptSetKind.Helpful)]
    [InlineData("helpful_extra", PromptSetKind.Helpful)]
    [InlineData("eval_red_team", PromptSetKind.Eval)]
    [InlineData("eval_helpful", PromptSetKind.Eval)]
    [InlineData("anything", PromptSetKind.RedTeam)]
    public void APromptSetsNameGivesItsDefaultKind(string name, PromptSetKind kind) => Assert.Equal(kind, PromptSetKinds.FromName(name));

    [Fact]
    public void DecisionsHaveOneTieRule()
    {
        Assert.Equal(PreferredResponse.A, Preference.Decide(0.6));
        Assert.Equal(PreferredResponse.B, Preference.Decide(0.4));
        Assert.Equal(PreferredResponse.Tie, Preference.Decide(0.5));
        Assert.Equal(PreferredResponse.Tie, Preference.Decide(0.49999999999999994));
        Assert.Equal(PreferredResponse.B, new Preference("x", 0.49).Decision);
    }

    [Fact]
    public void BothOrdersAveragesTheSwappedComplement()
    {
        Assert.Equal(0.75, Preference.InBothOrders(0.8, 0.3), 12);
        Assert.Equal(PreferredResponse.Tie, Preference.Decide(Preference.InBothOrders(0.7, 0.7))); // a pure position bias cancels
    }

    [Fact]
    public void AgreementCountsJudgeTiesApartAndLeavesOutReferenceTies()
    {
        var agreement = JudgeAgreement.Between([0.9, 0.2, 0.5, 0.6, 0.8], [1.0, 0.0, 1.0, 0.0, 0.5]);
        Assert.Equal(new JudgeAgreement(Decided: 3, Agreeing: 2, Ties: 1), agreement);
        Assert.Equal(2 / 3.0, agreement.Rate, 12);
        Assert.True(double.IsNaN(JudgeAgreement.Between([], []).Rate));
        Assert.Throws<ArgumentException>(() => JudgeAgreement.Between([0.9], [1.0, 0.0]));
    }

    [Fact]
    public void PairwiseAgreementComparesEveryPairOfMembers()
    {
        // Item 1: A, A, B (one of three pairs agrees); item 2: A, A, A (three of three).
        var agreement = JudgeAgreement.Pairwise([[0.9, 0.7], [0.6, 0.8], [0.3, 0.9]]);
        Assert.Equal(new JudgeAgreement(6, 4, 0), agreement);
        Assert.Throws<ArgumentException>(() => JudgeAgreement.Pairwise([[0.9]]));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
