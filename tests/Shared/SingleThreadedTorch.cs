using System.Runtime.CompilerServices;
using TorchSharp;

namespace Cai.Tests.Shared;

/// <summary>
/// Test assemblies run in parallel on a small machine; libtorch's OpenMP threads then wait on each other at every
/// barrier and crawl. Tests use tiny tensors, so each test process uses one intra-op thread. In test projects that set
/// CaiPreloadsLibTorch, libtorch is loaded first, as the cai tool does (an installed PyTorch's CUDA libtorch, or the
/// bundled CPU one).
/// </summary>
static class SingleThreadedTorch
{
    [ModuleInitializer]
    internal static void Initialize()
    {
#if CAI_PRELOADS_LIBTORCH
        Cai.Models.LibTorch.Load();
#endif
        torch.set_num_threads(1);
    }
}
