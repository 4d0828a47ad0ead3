namespace Cai.Models.Modeling;

// PLACEHOLDER for the Cai.Models helper to replace: the parsed Hugging Face config.json.
public sealed record ModelConfig(string ModelType, int VocabSize, int HiddenSize, int NumHiddenLayers, int MaxPositionEmbeddings);
