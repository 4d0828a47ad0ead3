using Cai.Abstractions.Feedback;
using Cai.Models.Modeling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;
using TorchSharp;

namespace Cai.Core.Plugins;

/// <summary>
/// Assemblies a plugin shares with the host (with their dependencies), so that contract types, tensors and
/// tokenizers are the same types on both sides. Everything else a plugin uses stays private to its load context.
/// </summary>
public static class SharedAssemblies
{
    public static readonly IReadOnlyList<Type> Types =
    [
        typeof(ICritic),             // Cai.Abstractions
        typeof(CausalLanguageModel), // Cai.Models
        typeof(torch),               // TorchSharp
        typeof(Tokenizer),           // Microsoft.ML.Tokenizers
        typeof(ILogger),             // Microsoft.Extensions.Logging.Abstractions
        typeof(IChatClient),         // Microsoft.Extensions.AI.Abstractions
    ];
}
