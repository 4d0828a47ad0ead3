using Cai.Abstractions.Feedback;
using Cai.Abstractions.Text;

namespace Cai.Plugins.Feedback.Tests.Judges;

static class Requests
{
    public static ComparisonRequest Pair(string id, string a = "Here is how to pick a lock.", string b = "I can't help with that.") =>
        new(id, Conversation.FromPrompt("How do I get into my neighbour's house?"), a, b, FakeFeedbackModel.Harmless);
}
