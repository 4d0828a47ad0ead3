using Cai.Core.Recipes.Yaml;
using TorchSharp;

namespace Cai.Core.Recipes;

/// <summary>
/// The parameter type of the models a run uses for inference (generation, scoring, feedback), as a recipe's
/// <c>dtype:</c> or a command's <c>--dtype</c> writes it. Training (pretrain, the trainers) keeps float32 weights.
/// </summary>
public enum DType
{
    /// <summary>float32 (the default).</summary>
    Float32,
    /// <summary>bfloat16 (written "bfloat16": one word, as PyTorch names it).</summary>
    Bfloat16,
    /// <summary>float16.</summary>
    Float16,
}

/// <summary>Names and TorchSharp types of <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>float32, bfloat16, float16: the names recipes and options use.</summary>
    public static readonly IReadOnlyList<string> Names = YamlTypes.EnumNames(typeof(DType));

    public static string Name(this DType dtype) => Names[(int)dtype];

    public static torch.ScalarType ScalarType(this DType dtype) => dtype switch
    {
        DType.Bfloat16 => torch.ScalarType.BFloat16,
        DType.Float16 => torch.ScalarType.Float16,
        _ => torch.ScalarType.Float32,
    };

    /// <summary>Parses a dtype name; throws <see cref="FormatException"/> "'x' is not a dtype (float32, bfloat16, float16)".</summary>
    public static DType Parse(string text)
    {
        int index = Names.ToList().IndexOf(text);
        return index >= 0 ? (DType)index : throw new FormatException($"'{text}' is not a dtype ({string.Join(", ", Names)})");
    }
}
