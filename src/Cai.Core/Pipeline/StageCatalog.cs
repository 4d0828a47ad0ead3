using Cai.Core.Pipeline.Stages;

namespace Cai.Core.Pipeline;

/// <summary>The implementation of each stage kind named in <c>use:</c>.</summary>
public sealed class StageCatalog(IReadOnlyDictionary<string, IStage> stages)
{
    public static StageCatalog Default(IResponseEvaluator? evaluator = null) => new(new Dictionary<string, IStage>
    {
        ["generate"] = new GenerateStage(),
        ["critique-revise"] = new CritiqueReviseStage(),
        ["train"] = new TrainStage(),
        ["sample-pairs"] = new SamplePairsStage(),
        ["label"] = new LabelStage(),
        ["evaluate"] = new EvaluateStage(evaluator),
        ["pretrain"] = new PretrainStage(),
    });

    public IStage For(string kind) =>
        stages.TryGetValue(kind, out var stage) ? stage : throw new NotSupportedException($"stage kind '{kind}' has no implementation");
}
