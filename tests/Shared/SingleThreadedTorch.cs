using System.Runtime.CompilerServices;
using TorchSharp;

namespace Cai.Tests.Shared;

/// <summary>
/// Test assemblies run in parallel on a small machine; libtorch's OpenMP threads then wait on each other at every
/// barrier and crawl. Tests use tiny tensors, so each test process uses one intra-op thread.
/// </summary>
static class SingleThreadedTorch
{
    [ModuleInitializer]
    internal static void Initialize() => torch.set_num_threads(1);
}
