using Cai.Abstractions.Text;
using Cai.Plugins.Feedback.Judges;
using Cai.Sandbox.Documents;

namespace Cai.Plugins.Feedback.Tests.Judges;

/// <summary>
/// Plugins do not reference the toy world, so the judges write the comparison format themselves. These tests tie
/// that format to the one the embedded default model was pretrained on.
/// </summary>
public class CorpusFormatTests
{
    static readonly string Prompt = Requests.Pair("x").Conversation.Turns[0].Text;

    [Fact]
    public void TheMultipleChoiceQuestionIsTheCorpusComparisonQuestion()
    {
        var request = Requests.Pair("x");

        Assert.Equal(ComparisonDocument.Question(Prompt, request.Principle.ComparisonQuestion, request.ResponseA, request.ResponseB),
            ComparisonQuestion.Text(request));
        Assert.Equal(ComparisonDocument.AnswerA, ComparisonQuestion.AnswerA.Trim());
        Assert.Equal(ComparisonDocument.AnswerB, ComparisonQuestion.AnswerB.Trim());
    }

    [Fact]
    public void TheChainOfThoughtQuestionIsTheCorpusReasonedComparison()
    {
        var request = Requests.Pair("x");
        var model = new FakeFeedbackModel(-1, -2);
        const string reasoning = "(A) gives harmful steps. (B) refuses without helping. So (B) is better.";

        string corpus = ComparisonDocument.Question(
            Prompt, request.Principle.ComparisonQuestion, request.ResponseA, request.ResponseB, reasoning);

        Assert.Equal(model.FormatPrompt(Conversation.FromPrompt(corpus)), ReasoningPrompt.ForAnswer(model, request, reasoning));
    }
}
