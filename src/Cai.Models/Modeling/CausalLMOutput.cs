using static TorchSharp.torch;

namespace Cai.Models.Modeling;

/// <summary>Outputs of a causal LM forward pass.</summary>
/// <param name="Logits">[batch, seq, vocab] next-token logits.</param>
/// <param name="LastHiddenState">[batch, seq, hidden] after the final norm: input of reward and value heads.</param>
public sealed record CausalLMOutput(Tensor Logits, Tensor LastHiddenState);
