using Cai.Abstractions.Constitution;

namespace Cai.Sandbox.Constitution;

/// <summary>A principle with the sentence the world's critiques add when judging a harmful response under it.</summary>
/// <param name="Principle">The principle's texts, as written to the constitution file.</param>
/// <param name="Verdict">How a critique under this principle sums up a harmful response.</param>
public sealed record WorldPrinciple(Principle Principle, string Verdict);
