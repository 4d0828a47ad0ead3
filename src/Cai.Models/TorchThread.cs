using System.Collections.Concurrent;

namespace Cai.Models;

/// <summary>
/// The process's one thread for torch work. libtorch parallelises ops with OpenMP (libgomp), which gives every thread
/// that runs a parallel op its own team of worker threads. Once a process has more team threads than cores, libgomp
/// stops spinning between ops: idle workers sleep after each op and are woken for the next. Measured on 2 cores: three
/// context switches per small op and 35–55 % slower ops as soon as a second thread had run one (docs/PERFORMANCE.md).
/// Commands run their models here (<see cref="RunAsync{T}(Func{T})"/>, <see cref="RunAsync(Func{Task})"/>), so a
/// process has one team. The thread's <see cref="SynchronizationContext"/> brings <c>await</c> continuations back to it;
/// code on it that must block on a task calls <see cref="Wait"/>, which runs the thread's queue meanwhile.
/// Grad mode and dispose scopes are per thread, like everything torch keeps per thread.
/// </summary>
public static class TorchThread
{
    private static readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> Queue = [];
    private static readonly Lazy<Thread> Thread = new(Start);
    private static readonly SynchronizationContext Context = new TorchContext();

    [ThreadStatic] private static bool _isCurrent;

    /// <summary>Whether the caller runs on the torch thread.</summary>
    public static bool IsCurrent => _isCurrent;

    /// <summary>Runs <paramref name="work"/> on the torch thread (at once when the caller is on it).</summary>
    public static Task<T> RunAsync<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_isCurrent)
        {
            try { return Task.FromResult(work()); }
            catch (Exception e) { return Task.FromException<T>(e); }
        }
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(_ =>
        {
            try { result.SetResult(work()); }
            catch (Exception e) { result.SetException(e); }
        });
        return result.Task;
    }

    /// <summary>
    /// Runs asynchronous <paramref name="work"/> on the torch thread: it starts there, and its awaits come back there
    /// (unless they say ConfigureAwait(false)).
    /// </summary>
    public static Task RunAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(async () =>
        {
            await work();
            return true;
        });
    }

    /// <inheritdoc cref="RunAsync(Func{Task})"/>
    public static Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_isCurrent) return work();
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(async _ =>
        {
            try { result.SetResult(await work()); }
            catch (Exception e) { result.SetException(e); }
        });
        return result.Task;
    }

    /// <summary>
    /// Blocks until <paramref name="task"/> ends and rethrows its exception. On the torch thread, runs what is queued
    /// for it meanwhile (the task may be waiting for that), where a plain GetResult() would deadlock.
    /// </summary>
    public static T Wait<T>(Task<T> task)
    {
        Pump(task);
        return task.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Wait{T}(Task{T})"/>
    public static void Wait(Task task)
    {
        Pump(task);
        task.GetAwaiter().GetResult();
    }

    private static void Pump(Task task)
    {
        if (!_isCurrent || task.IsCompleted) return;
        task.ContinueWith(_ => Queue.Add((static _ => { }, null)), TaskScheduler.Default);
        while (!task.IsCompleted)
        {
            var (callback, state) = Queue.Take();
            callback(state);
        }
    }

    private static void Post(SendOrPostCallback callback)
    {
        _ = Thread.Value;
        Queue.Add((callback, null));
    }

    private static Thread Start()
    {
        var thread = new Thread(() =>
        {
            _isCurrent = true;
            SynchronizationContext.SetSynchronizationContext(Context);
            foreach (var (callback, state) in Queue.GetConsumingEnumerable()) callback(state);
        })
        {
            IsBackground = true,
            Name = "torch",
        };
        thread.Start();
        return thread;
    }

    private sealed class TorchContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => Queue.Add((d, state));

        public override void Send(SendOrPostCallback d, object? state)
        {
            if (_isCurrent) d(state);
            else TorchThread.Wait(RunAsync(() =>
            {
                d(state);
                return true;
            }));
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}
