using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cai.Abstractions.Input;

namespace Cai.Core.Runs;

/// <summary>
/// run.lock: one process at a time in a run folder. It holds the holder's process id and start time; a lock whose
/// process is gone (or whose id now belongs to a process started at another time) is stale and taken over, a live
/// holder's lock is refused with an <see cref="InputException"/> naming it. Disposing removes the lock.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = "run.lock";

    readonly string _path;
    readonly string _content;

    RunLock(string path, string content) => (_path, _content) = (path, content);

    /// <summary>Takes the lock of the run folder <paramref name="runRoot"/>.</summary>
    public static RunLock Acquire(string runRoot)
    {
        string path = Path.Combine(runRoot, FileName);
        using var self = Process.GetCurrentProcess();
        string content = JsonSerializer.Serialize(new Holder(self.Id, StartTicks(self)));
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                using (var writer = new StreamWriter(stream)) writer.Write(content);
                return new RunLock(path, content);
            }
            catch (IOException) when (File.Exists(path) && attempt < 3)
            {
                if (Read(path) is { } holder && IsAlive(holder))
                    throw new InputException(null, $"{runRoot} is in use by process {holder.Pid} (started " +
                        $"{new DateTime(holder.StartTicks, DateTimeKind.Utc).ToString("u", CultureInfo.InvariantCulture)}); " +
                        "wait for it to end or stop it (its lock is run.lock)");
                File.Delete(path); // stale: its process is gone
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(_path) && File.ReadAllText(_path) == _content) File.Delete(_path);
        }
        catch (IOException) { } // the folder is gone
    }

    sealed record Holder(int Pid, long StartTicks);

    static Holder? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Holder>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null; // torn or unreadable: its writer died while writing it
        }
    }

    static bool IsAlive(Holder holder)
    {
        try
        {
            using var process = Process.GetProcessById(holder.Pid);
            // Start times are read back from the process table, to about a second.
            return !process.HasExited && Math.Abs(StartTicks(process) - holder.StartTicks) < TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;
}
