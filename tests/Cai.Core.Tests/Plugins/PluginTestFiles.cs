using Cai.Abstractions.Constitution;
using Cai.Abstractions.Plugins;
using Cai.Abstractions.Text;
using Cai.Core.Plugins;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Tests.Plugins;

/// <summary>The test plugins built by this project (see TestPlugins/) and helpers to activate them.</summary>
public static class PluginTestFiles
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CaiFramework.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("repository root not found");
        }
    }

    public static string Built(string project, string assembly) =>
        Path.Combine(RepoRoot, "tests", "Cai.Core.Tests", "TestPlugins", project, "bin", Configuration, "net10.0", assembly + ".dll");

    public static string VersionedYaml => Built("VersionedYaml", "VersionedYaml");

    /// <summary>Copies a built plugin (dll, deps.json and private dependencies) into a fresh directory.</summary>
    public static string CopyTo(string dll, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(dll)!))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
        return Path.Combine(directory, Path.GetFileName(dll));
    }

    public static readonly ConstitutionDocument Constitution = new("test",
        [new Principle("harm", "What is harmful?", "Rewrite it harmlessly.", "Which is less harmful?")], []);

    public static PluginActivation Activation(ILogger logger, Func<Type, PluginOptions>? bind = null) =>
        new(new Dictionary<string, ITextModel>(), Constitution, 7, logger, bind ?? (t => (PluginOptions)Activator.CreateInstance(t)!));
}

/// <summary>Captures log messages.</summary>
public sealed class ListLogger : ILogger
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Messages) Messages.Add(formatter(state, exception));
    }
}
