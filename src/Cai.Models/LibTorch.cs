using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Cai.Models;

/// <summary>Where the libtorch a process runs on came from.</summary>
public enum LibTorchSource
{
    /// <summary>A folder the .NET loader searches by name (TorchSharp-cpu/-cuda in a build that does not preload): TorchSharp loads it itself.</summary>
    Build,
    /// <summary>The folder named by <c>CAI_LIBTORCH</c>.</summary>
    Variable,
    /// <summary>An installed PyTorch whose libtorch is a CUDA build of a version seen to work.</summary>
    PyTorch,
    /// <summary>The CPU libtorch in libtorch/ beside the application.</summary>
    Bundled,
}

/// <summary>A PyTorch installation found on the machine: its torch/ folder, version.py's version and CUDA version.</summary>
/// <param name="TorchFolder">The package folder (…/site-packages/torch).</param>
/// <param name="Version"><c>__version__</c> of torch/version.py, e.g. "2.11.0+cu130".</param>
/// <param name="Cuda"><c>cuda</c> of torch/version.py, e.g. "13.0"; null for a CPU build.</param>
/// <param name="NotUsed">Why its libtorch is not the one loaded; null for the one loaded.</param>
public sealed record PyTorchInstall(string TorchFolder, string Version, string? Cuda, string? NotUsed = null)
{
    /// <summary>The folder of its shared libraries.</summary>
    public string LibFolder => Path.Combine(TorchFolder, "lib");
}

/// <summary>The libtorch this process runs on.</summary>
/// <param name="Source">Where it came from.</param>
/// <param name="Folder">Its folder of shared libraries.</param>
/// <param name="Version">Its version where known (version.py of a PyTorch, build-version of a libtorch folder or archive).</param>
/// <param name="Why">Why this one, in a sentence.</param>
/// <param name="Preloaded">The files loaded with <c>NativeLibrary.Load</c> before TorchSharp, in order (empty for <see cref="LibTorchSource.Build"/>).</param>
/// <param name="Found">Every PyTorch installation found, with why it is not used where it is not.</param>
public sealed record LibTorchChoice(LibTorchSource Source, string Folder, string? Version, string Why, IReadOnlyList<string> Preloaded, IReadOnlyList<PyTorchInstall> Found);

/// <summary>A libtorch that cannot be loaded, or a <c>CAI_LIBTORCH</c> that names none: a one-line reason.</summary>
public sealed class LibTorchException(string message) : Exception(message);

/// <summary>
/// What the search for a libtorch reads from the machine; <see cref="Machine"/> is this process's, tests give fake trees.
/// </summary>
/// <param name="Variable">Reads an environment variable.</param>
/// <param name="Root">Prefix of the system paths (/usr/local/lib/python3*/dist-packages, /usr/lib/python3/dist-packages).</param>
/// <param name="Home">The user's home folder (~/.local, ~/.pyenv).</param>
/// <param name="AppFolder">The application folder, where a bundled libtorch/ lies.</param>
/// <param name="NativeSearchFolders">Folders the .NET loader searches by name before anything else (the host's NATIVE_DLL_SEARCH_DIRECTORIES).</param>
/// <param name="AskPython">Last resort when the usual places have no suitable PyTorch: the torch/ folder python3 would import, or null.</param>
public sealed record LibTorchMachine(
    Func<string, string?> Variable,
    string Root,
    string Home,
    string AppFolder,
    IReadOnlyList<string> NativeSearchFolders,
    Func<string?> AskPython)
{
    /// <summary>This process and machine.</summary>
    public static LibTorchMachine Machine() => new(
        Environment.GetEnvironmentVariable,
        "/",
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        AppContext.BaseDirectory,
        ((AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries),
        LibTorch.AskPython3);
}

/// <summary>
/// Chooses the libtorch of this process and loads it before TorchSharp initialises. Builds that set the MSBuild property
/// CaiPreloadsLibTorch (the cai tool, the CUDA tests) carry the CPU libtorch in libtorch/ beside the application, outside
/// the folders .NET searches by name, so that TorchSharp's by-name load of torch_cpu finds whatever was loaded here:
/// <c>CAI_LIBTORCH=&lt;folder&gt;</c>; else an installed PyTorch whose libtorch is a CUDA build of a version seen to
/// work with TorchSharp 0.107 (<see cref="SeenToWork"/>); else the bundled CPU libtorch (<c>CAI_LIBTORCH=none</c>
/// skips the search). Such a process calls <see cref="Load"/> before it touches TorchSharp. Linux x64 only; elsewhere
/// TorchSharp loads its own.
/// </summary>
public static partial class LibTorch
{
    /// <summary>The environment variable naming a libtorch folder, or "none".</summary>
    public const string Variable = "CAI_LIBTORCH";

    /// <summary>The folder beside the application that holds the bundled CPU libtorch.</summary>
    public const string BundledFolderName = "libtorch";

    /// <summary>PyTorch versions (major.minor) whose libtorch has run TorchSharp 0.107's libLibTorchSharp.so.</summary>
    public static readonly IReadOnlyList<string> SeenToWork = ["2.10", "2.11"];

    /// <summary>libtorch's libraries in dependency order; the CUDA ones are optional.</summary>
    public static readonly IReadOnlyList<string> LoadOrder = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    static readonly string[] _required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    const string TorchSharpNative = "libLibTorchSharp.so";

    // CUDA libraries of the nvidia-* wheels (nvidia/<name>/lib), in dependency order; libtorch_cuda.so's RUNPATH
    // normally finds them, and like PyTorch they are loaded by hand only when that fails.
    static readonly string[] _nvidiaLoadOrder =
        ["libcudart.so", "libnvJitLink.so", "libcublasLt.so", "libcublas.so", "libcusparse.so", "libcusolver.so", "libcufft.so",
         "libcurand.so", "libnvrtc.so", "libcudnn.so", "libnccl.so", "libcupti.so", "libcusparseLt.so", "libnvshmem_host.so", "libcufile.so"];

    static readonly Lock _gate = new();
    static LibTorchChoice? _loaded;

    /// <summary>The libtorch loaded by <see cref="Load"/>, or null before.</summary>
    public static LibTorchChoice? Loaded => _loaded;

    /// <summary>Chooses and loads this process's libtorch (once; later calls return the first result).</summary>
    /// <exception cref="LibTorchException">CAI_LIBTORCH names no libtorch, none is available, or a library fails to load.</exception>
    public static LibTorchChoice Load()
    {
        lock (_gate)
        {
            if (_loaded is not null) return _loaded;
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
                return _loaded = new LibTorchChoice(LibTorchSource.Build, "", null, "TorchSharp's own load (the search is for Linux x64)", [], []);
            if (MappedLibraries().FirstOrDefault(f => Path.GetFileName(f) == "libtorch_cpu.so") is string early)
                return _loaded = new LibTorchChoice(LibTorchSource.Build, Path.GetDirectoryName(early)!, VersionOf(Path.GetDirectoryName(early)!),
                    "already loaded before LibTorch.Load (TorchSharp was used first)", [], []);
            var machine = LibTorchMachine.Machine();
            var choice = Choose(machine);
            if (choice.Source == LibTorchSource.Build) return _loaded = choice;
            var files = LoadFolder(choice.Folder, NvidiaRoot(choice.Folder));
            // TorchSharp's own library last, here: where it fails against this libtorch, the reason is one line, and
            // TorchSharp never falls back to copying libtorch out of the NuGet cache beside the application.
            string? torchSharp = machine.NativeSearchFolders.Append(machine.AppFolder).Select(f => Path.Combine(f, TorchSharpNative)).FirstOrDefault(File.Exists);
            if (torchSharp is not null) files = [.. files, LoadFile(torchSharp, $"against the libtorch in {choice.Folder}")];
            return _loaded = choice with { Preloaded = files };
        }
    }

    /// <summary>Decides which libtorch to load on <paramref name="machine"/>, without loading anything.</summary>
    /// <exception cref="LibTorchException">CAI_LIBTORCH names no libtorch, or there is none to load.</exception>
    public static LibTorchChoice Choose(LibTorchMachine machine)
    {
        string? variable = machine.Variable(Variable) is { Length: > 0 } v ? v : null;
        bool searchDisabled = string.Equals(variable, "none", StringComparison.OrdinalIgnoreCase);
        string? carried = machine.NativeSearchFolders.FirstOrDefault(f => File.Exists(Path.Combine(f, "libtorch_cpu.so")));
        if (carried is not null)
        {
            if (variable is not null && !searchDisabled)
                throw new LibTorchException($"{Variable}={variable}: this build carries libtorch in {carried}, which TorchSharp loads by name " +
                                            "before any other; use a build that preloads libtorch (the cai tool, build/pack-gpu.sh)");
            string carriedReason = $"this build carries its own libtorch ({carried}), which TorchSharp loads first";
            return new LibTorchChoice(LibTorchSource.Build, carried, VersionOf(carried), "carried by this build (TorchSharp's own load)", [],
                searchDisabled ? [] : FindPyTorch(machine).Select(p => p with { NotUsed = p.NotUsed ?? carriedReason }).ToList());
        }

        string bundled = Path.Combine(machine.AppFolder, BundledFolderName);
        if (variable is not null && !searchDisabled)
        {
            string folder = LibFolderOf(variable)
                ?? throw new LibTorchException($"{Variable}={variable}: no libtorch there (expected {string.Join(", ", _required)} in it or in its lib/), or 'none' to use the bundled one");
            string? version = VersionOf(folder);
            string warning = version is null ? "version unknown" : IsSeenToWork(version) ? "a version seen to work" : $"NOT a version seen to work ({string.Join(", ", SeenToWork)})";
            return new LibTorchChoice(LibTorchSource.Variable, folder, version, $"{Variable} names it ({warning})", [], FindPyTorch(machine)
                .Select(p => p with { NotUsed = p.NotUsed ?? $"{Variable} is set" }).ToList());
        }

        var found = searchDisabled ? [] : FindPyTorch(machine);
        var chosen = found.FirstOrDefault(p => p.NotUsed is null);
        if (chosen is not null)
            return new LibTorchChoice(LibTorchSource.PyTorch, chosen.LibFolder, chosen.Version, $"PyTorch {chosen.Version} (CUDA {chosen.Cuda}) is installed at {chosen.TorchFolder}", [],
                found.Select(p => ReferenceEquals(p, chosen) || p.NotUsed is not null ? p : p with { NotUsed = "an earlier one in the search is used" }).ToList());
        if (!_required.All(f => File.Exists(Path.Combine(bundled, f))))
            throw new LibTorchException(
                $"no libtorch: none beside the application ({bundled}), no PyTorch with a CUDA libtorch {string.Join(" or ", SeenToWork)} " +
                $"{(searchDisabled ? $"searched ({Variable}=none)" : "found")}; set {Variable} to a libtorch folder (e.g. <site-packages>/torch/lib)");
        string why = searchDisabled ? $"bundled CPU libtorch ({Variable}=none)"
            : found.Count == 0 ? "bundled CPU libtorch (no PyTorch installation found)"
            : "bundled CPU libtorch (no PyTorch found is a CUDA build of a version seen to work)";
        return new LibTorchChoice(LibTorchSource.Bundled, bundled, VersionOf(bundled), why, [], found);
    }

    /// <summary>Every PyTorch installation in the usual places, in search order, each with why it cannot be used (null when it can).</summary>
    public static IReadOnlyList<PyTorchInstall> FindPyTorch(LibTorchMachine machine)
    {
        var found = new List<PyTorchInstall>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string site in SitePackages(machine))
            Add(Path.Combine(site, "torch"));
        if (!found.Any(p => p.NotUsed is null) && machine.AskPython() is string asked)
            Add(asked);
        return found;

        void Add(string torchFolder)
        {
            if (!File.Exists(Path.Combine(torchFolder, "version.py"))) return;
            string real = Path.GetFullPath(ResolveLinks(torchFolder));
            if (!seen.Add(real)) return;
            var (version, cuda) = ReadVersionFile(Path.Combine(torchFolder, "version.py"));
            found.Add(new PyTorchInstall(torchFolder, version, cuda, WhyNotUsable(torchFolder, version, cuda)));
        }
    }

    /// <summary>The site-packages folders searched, in order: VIRTUAL_ENV, CONDA_PREFIX, ~/.local, the user's pyenv, /usr/local, /usr/lib/python3.</summary>
    public static IEnumerable<string> SitePackages(LibTorchMachine machine)
    {
        foreach (string prefixVariable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (machine.Variable(prefixVariable) is { Length: > 0 } prefix)
                foreach (string site in PythonLibs(Path.Combine(prefix, "lib"), "site-packages")) yield return site;
        foreach (string site in PythonLibs(Path.Combine(machine.Home, ".local", "lib"), "site-packages")) yield return site;
        string pyenv = machine.Variable("PYENV_ROOT") is { Length: > 0 } root ? root : Path.Combine(machine.Home, ".pyenv");
        foreach (string version in PyenvVersions(machine, pyenv))
            foreach (string site in PythonLibs(Path.Combine(pyenv, "versions", version, "lib"), "site-packages")) yield return site;
        foreach (string site in PythonLibs(Path.Combine(machine.Root, "usr", "local", "lib"), "dist-packages")) yield return site;
        foreach (string site in PythonLibs(Path.Combine(machine.Root, "usr", "local", "lib"), "site-packages")) yield return site;
        yield return Path.Combine(machine.Root, "usr", "lib", "python3", "dist-packages");
    }

    // The active version first (PYENV_VERSION, else ~/.pyenv/version), then the others, newest first.
    static IEnumerable<string> PyenvVersions(LibTorchMachine machine, string pyenv)
    {
        string versions = Path.Combine(pyenv, "versions");
        if (!Directory.Exists(versions)) return [];
        string? active = machine.Variable("PYENV_VERSION") is { Length: > 0 } named ? named
            : File.Exists(Path.Combine(pyenv, "version")) ? File.ReadLines(Path.Combine(pyenv, "version")).FirstOrDefault()?.Trim() : null;
        var all = Directory.GetDirectories(versions).Select(d => Path.GetFileName(d)!).OrderByDescending(VersionKey).ToList();
        return active is not null && all.Remove(active) ? all.Prepend(active) : all;
    }

    // <lib>/python3.X/<leaf>, newest Python first.
    static IEnumerable<string> PythonLibs(string lib, string leaf) =>
        Directory.Exists(lib)
            ? Directory.GetDirectories(lib, "python3*").OrderByDescending(d => VersionKey(Path.GetFileName(d)!["python".Length..]))
                .Select(d => Path.Combine(d, leaf)).Where(Directory.Exists)
            : [];

    static string VersionKey(string name) =>
        string.Join('.', Regex.Matches(name, @"\d+").Select(m => m.Value.PadLeft(6, '0')));

    /// <summary>Why a PyTorch's libtorch cannot be used here, or null when it can.</summary>
    public static string? WhyNotUsable(string torchFolder, string version, string? cuda)
    {
        var reasons = new List<string>();
        if (!IsSeenToWork(version)) reasons.Add($"version {version} is not one seen to work with TorchSharp 0.107 ({string.Join(", ", SeenToWork)})");
        if (cuda is null) reasons.Add("a CPU build (version.py: cuda = None), where the bundled libtorch serves");
        string lib = Path.Combine(torchFolder, "lib");
        if (reasons.Count == 0 && _required.Append("libtorch_cuda.so").FirstOrDefault(f => !File.Exists(Path.Combine(lib, f))) is string missing)
            reasons.Add($"{lib} has no {missing}");
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>Whether a version string (e.g. "2.11.0+cu130", "2.10.0a0+git1234") is of a major.minor in <see cref="SeenToWork"/>.</summary>
    public static bool IsSeenToWork(string version) => MajorMinor(version) is string mm && SeenToWork.Contains(mm);

    /// <summary>"2.11" of "2.11.0+cu130"; null when the string does not start with major.minor.</summary>
    public static string? MajorMinor(string version) =>
        VersionPrefix().Match(version) is { Success: true } m ? $"{int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)}.{int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)}" : null;

    /// <summary>torch/version.py's <c>__version__</c> and <c>cuda</c> (null when None or absent).</summary>
    public static (string Version, string? Cuda) ReadVersionFile(string versionPy)
    {
        string text = File.ReadAllText(versionPy);
        string version = VersionLine().Match(text) is { Success: true } v ? v.Groups[1].Value : "unknown";
        string? cuda = CudaLine().Match(text) is { Success: true } c ? c.Groups[1].Value.Trim().Trim('\'', '"') : null;
        return (version, cuda is null or "None" or "" ? null : cuda);
    }

    // A libtorch folder's version: torch/version.py of a PyTorch, build-version in it (the bundled one) or beside it
    // (a libtorch archive).
    static string? VersionOf(string libFolder)
    {
        if (File.Exists(Path.Combine(libFolder, "build-version"))) return File.ReadAllText(Path.Combine(libFolder, "build-version")).Trim();
        string parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(libFolder)) ?? libFolder;
        if (File.Exists(Path.Combine(parent, "version.py"))) return ReadVersionFile(Path.Combine(parent, "version.py")).Version;
        if (File.Exists(Path.Combine(parent, "build-version"))) return File.ReadAllText(Path.Combine(parent, "build-version")).Trim();
        return null;
    }

    // The folder itself or its lib/, whichever holds libtorch.
    static string? LibFolderOf(string folder)
    {
        foreach (string candidate in new[] { folder, Path.Combine(folder, "lib") })
            if (_required.All(f => File.Exists(Path.Combine(candidate, f)))) return Path.GetFullPath(candidate);
        return null;
    }

    // site-packages/nvidia of a PyTorch's torch/lib, when there is one.
    static string? NvidiaRoot(string libFolder)
    {
        string? site = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(libFolder)));
        return site is not null && Directory.Exists(Path.Combine(site, "nvidia")) ? Path.Combine(site, "nvidia") : null;
    }

    static IReadOnlyList<string> LoadFolder(string folder, string? nvidia)
    {
        var loadedFiles = new List<string>();
        bool nvidiaLoaded = false;
        foreach (string name in LoadOrder)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            if (!NativeLibrary.TryLoad(path, out _))
            {
                // Like PyTorch: the CUDA libraries of the nvidia-* wheels by hand only when the RUNPATH did not find them.
                if (nvidia is not null && !nvidiaLoaded)
                {
                    nvidiaLoaded = true;
                    loadedFiles.AddRange(LoadNvidia(nvidia));
                }
                LoadFile(path, ""); // a second try, or the loader's reason as a LibTorchException
            }
            loadedFiles.Add(path);
        }
        return loadedFiles;
    }

    static string LoadFile(string path, string context)
    {
        try
        {
            NativeLibrary.Load(path);
            return path;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // .NET's message ends with the loader's own reason (dlerror), e.g. an undefined symbol.
            throw new LibTorchException($"{path} does not load{(context.Length > 0 ? " " + context : "")}: {e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1]}");
        }
    }

    static IEnumerable<string> LoadNvidia(string nvidia)
    {
        var libraries = Directory.GetDirectories(nvidia).Select(d => Path.Combine(d, "lib")).Where(Directory.Exists)
            .SelectMany(Directory.GetFiles).ToList();
        foreach (string stem in _nvidiaLoadOrder)
            foreach (string file in libraries.Where(f => Path.GetFileName(f).StartsWith(stem + ".", StringComparison.Ordinal)).Order())
                if (NativeLibrary.TryLoad(file, out _)) yield return file;
    }

    /// <summary>
    /// The libtorch, TorchSharp and CUDA libraries mapped into this process now (from /proc/self/maps): what was really
    /// loaded, wherever from.
    /// </summary>
    public static IReadOnlyList<string> MappedLibraries()
    {
        if (!File.Exists("/proc/self/maps")) return [];
        return File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/') is int at and >= 0 ? line[at..] : null)
            .OfType<string>()
            .Where(path => IsTorchLibrary(Path.GetFileName(path)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    static bool IsTorchLibrary(string file) =>
        file.Contains(".so", StringComparison.Ordinal) &&
        (file.StartsWith("libtorch", StringComparison.Ordinal) || file.StartsWith("libc10", StringComparison.Ordinal) ||
         file.StartsWith("libLibTorchSharp", StringComparison.Ordinal) || file.StartsWith("libcud", StringComparison.Ordinal) ||
         file.StartsWith("libcublas", StringComparison.Ordinal) || file.StartsWith("libnv", StringComparison.Ordinal) ||
         file.StartsWith("libgomp", StringComparison.Ordinal));

    /// <summary>The torch/ folder that python3 on PATH would import (without importing it), or null.</summary>
    internal static string? AskPython3()
    {
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import importlib.util as u; s = u.find_spec('torch'); print(s.submodule_search_locations[0] if s else '')");
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(10_000)) { process.Kill(entireProcessTree: true); return null; }
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    static string ResolveLinks(string path) =>
        new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    [GeneratedRegex(@"^(\d+)\.(\d+)")]
    private static partial Regex VersionPrefix();

    [GeneratedRegex(@"^__version__\s*(?::[^=]*)?=\s*['""]([^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"^cuda\s*(?::[^=]*)?=\s*(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex CudaLine();
}
