using Cai.Core.Plugins;

namespace Cai.Core.Tests.Plugins;

public sealed class BuiltInPluginsTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("cai-builtins-").FullName;

    string Touch(string relative, DateTime written)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        File.SetLastWriteTimeUtc(path, written);
        return path;
    }

    [Fact]
    public void DevelopmentTreeFollowsTheHostsBuildConfigurationNotTheNewestDll()
    {
        Touch("CaiFramework.sln", DateTime.UtcNow);
        string other = BuiltInPlugins.Configuration == "Debug" ? "Release" : "Debug";
        string tfm = BuiltInPlugins.TargetFramework;
        string ours = Touch($"plugins/Cai.Plugins.Feedback/bin/{BuiltInPlugins.Configuration}/{tfm}/Cai.Plugins.Feedback.dll", DateTime.UtcNow.AddHours(-2));
        Touch($"plugins/Cai.Plugins.Feedback/bin/{other}/{tfm}/Cai.Plugins.Feedback.dll", DateTime.UtcNow); // newer, other configuration
        Touch($"plugins/Cai.Plugins.Feedback/bin/{BuiltInPlugins.Configuration}/{tfm}/linux-x64/Cai.Plugins.Feedback.dll", DateTime.UtcNow);
        Touch($"plugins/Cai.Plugins.Training/bin/{other}/{tfm}/Cai.Plugins.Training.dll", DateTime.UtcNow); // only the other configuration
        string host = Path.Combine(_root, "tests", "Host", "bin", BuiltInPlugins.Configuration, tfm);
        Directory.CreateDirectory(host);

        Assert.Equal([ours], BuiltInPlugins.Find(host));
        Assert.Matches(@"^net\d+\.\d+$", tfm);
    }

    [Fact]
    public void ShippedPluginsFolderComesFirst()
    {
        Touch("CaiFramework.sln", DateTime.UtcNow);
        Touch($"plugins/Cai.Plugins.Feedback/bin/{BuiltInPlugins.Configuration}/{BuiltInPlugins.TargetFramework}/Cai.Plugins.Feedback.dll", DateTime.UtcNow);
        string tool = Path.Combine(_root, "artifacts", "tool");
        string shipped = Touch("artifacts/tool/plugins/Cai.Plugins.Feedback/Cai.Plugins.Feedback.dll", DateTime.UtcNow.AddDays(-1));
        Touch("artifacts/tool/plugins/Empty/readme.txt", DateTime.UtcNow); // a folder without its assembly is no plugin

        Assert.Equal([shipped], BuiltInPlugins.Find(tool));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
