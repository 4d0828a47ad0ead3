using Cai.Abstractions.Constitution;

namespace Cai.Core.Pipeline;

/// <summary>Samples one principle uniformly for an item and a round, reproducibly from the run seed.</summary>
public sealed class PrincipleSampler(IReadOnlyList<Principle> principles, long seed)
{
    public Principle Sample(string itemId, int round, string purpose = "critique")
    {
        if (principles.Count == 0) throw new InvalidOperationException("the constitution has no principles");
        return principles[StableSeed.Derive(seed, purpose, itemId, round) % principles.Count];
    }
}
