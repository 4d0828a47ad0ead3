namespace Cai.Models.Tests;

public class TorchThreadTests
{
    [Fact]
    public async Task WorkFromAnyThreadRunsOnOneThread()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => TorchThread.RunAsync(() =>
            (Environment.CurrentManagedThreadId, TorchThread.IsCurrent)))));
        Assert.Single(ids.Select(i => i.CurrentManagedThreadId).Distinct());
        Assert.All(ids, i => Assert.True(i.IsCurrent));
        Assert.False(TorchThread.IsCurrent);
        Assert.NotEqual(Environment.CurrentManagedThreadId, ids[0].CurrentManagedThreadId);
    }

    [Fact]
    public async Task AwaitsInAsyncWorkComeBackToTheThread()
    {
        int torch = await TorchThread.RunAsync(() => Environment.CurrentManagedThreadId);
        var seen = await TorchThread.RunAsync(async () =>
        {
            var before = Environment.CurrentManagedThreadId;
            await Task.Delay(10);
            var afterDelay = Environment.CurrentManagedThreadId;
            await Task.Run(() => Thread.Sleep(5));
            return (before, afterDelay, Environment.CurrentManagedThreadId);
        });
        Assert.Equal((torch, torch, torch), seen);
    }

    [Fact]
    public async Task WorkOnTheThreadRunsInlineAndWaitDoesNotDeadlock()
    {
        // Blocking on the thread for a task whose continuation needs the thread: Wait runs the queue meanwhile.
        var result = await TorchThread.RunAsync(() =>
        {
            int inline = TorchThread.Wait(TorchThread.RunAsync(() => 41));
            return TorchThread.Wait(TorchThread.RunAsync(async () =>
            {
                await Task.Delay(10);
                return inline + (TorchThread.IsCurrent ? 1 : 100);
            }));
        });
        Assert.Equal(42, result);
    }

    [Fact]
    public async Task ExceptionsReachTheCaller()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TorchThread.RunAsync(new Func<int>(() => throw new InvalidOperationException("boom"))));
        Assert.Equal("boom", e.Message);
        await Assert.ThrowsAsync<OperationCanceledException>(() => TorchThread.RunAsync(async () =>
        {
            await Task.Yield();
            throw new OperationCanceledException();
        }));
        Assert.Equal(7, await TorchThread.RunAsync(() => 7)); // the thread lives on
    }
}
