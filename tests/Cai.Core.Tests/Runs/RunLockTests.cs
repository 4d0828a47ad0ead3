using System.Diagnostics;
using System.Text.Json;
using Cai.Abstractions.Input;
using Cai.Core.Runs;
using Cai.Models.IO;

namespace Cai.Core.Tests.Runs;

public sealed class RunLockTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("cai-lock-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ALiveHolderIsRefusedAndTheLockIsFreedOnDispose()
    {
        using (RunLock.Acquire(_root))
        {
            var refused = Assert.Throws<InputException>(() => RunLock.Acquire(_root));
            Assert.Contains($"is in use by process {Environment.ProcessId}", refused.Message);
        }
        Assert.False(File.Exists(Path.Combine(_root, RunLock.FileName)));
        using var again = RunLock.Acquire(_root);
    }

    [Theory]
    [InlineData(true)] // the process is gone
    [InlineData(false)] // its id is alive but started at another time: reused
    public void AStaleLockIsTakenOver(bool exited)
    {
        int pid;
        long startTicks;
        if (exited)
        {
            using var gone = Process.Start("true")!;
            gone.WaitForExit();
            (pid, startTicks) = (gone.Id, DateTime.UtcNow.Ticks);
        }
        else (pid, startTicks) = (Environment.ProcessId, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks);
        File.WriteAllText(Path.Combine(_root, RunLock.FileName), JsonSerializer.Serialize(new { Pid = pid, StartTicks = startTicks }));

        using var taken = RunLock.Acquire(_root);
        Assert.Contains($"\"Pid\":{Environment.ProcessId}", File.ReadAllText(Path.Combine(_root, RunLock.FileName)));
    }

    [Fact]
    public void LeftoversOfKilledWritersAreRemovedAndAFolderMovedAsideIsPutBack()
    {
        string stage = Path.Combine(_root, "sft");
        Directory.CreateDirectory(Path.Combine(stage, "training-state", ".step-4.tmp-" + Guid.NewGuid().ToString("N")));
        File.WriteAllText(Path.Combine(stage, "done.json.tmp-123-4"), "{");
        File.WriteAllText(Path.Combine(stage, "metrics.jsonl"), "{}\n");
        // Killed between moving the old checkpoint aside and moving the new one in: the old one comes back.
        string aside = Path.Combine(stage, ".checkpoint.old-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(aside);
        File.WriteAllText(Path.Combine(aside, "config.json"), "{}");

        AtomicFile.RemoveLeftovers(_root);

        Assert.Equal(["checkpoint", "training-state"], Directory.GetDirectories(stage).Select(Path.GetFileName).Order());
        Assert.True(File.Exists(Path.Combine(stage, "checkpoint", "config.json")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(stage, "training-state")));
        Assert.Equal(["metrics.jsonl"], Directory.GetFiles(stage).Select(Path.GetFileName));
    }
}
