using Cai.Core.Pipeline;
using Cai.Sandbox.Evaluation;
using Cai.Sandbox.Pretraining;

namespace Cai.Sandbox;

/// <summary>What the toy world adds to a run: its independent evaluator (the evaluate stage and the report) and the pretrain
/// stage.</summary>
public static class ToyWorld
{
    /// <summary>Registers the evaluate kind with <see cref="WorldResponseEvaluator"/>, then pretrain (<see
    /// cref="PretrainStage.Kind"/>).</summary>
    public static StageRegistry Register(StageRegistry stages) => stages.AddEvaluator(new WorldResponseEvaluator()).Add(PretrainStage.Kind);
}
