using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Cai.Models;
using Cai.Models.Generation;
using TorchSharp;

namespace Cai.Cli.Serve;

/// <summary>
/// What the scheduler tells a request about one of its choices: a new token (streaming requests only), or that the
/// choice is over: <see cref="Sequence"/> holds its tokens (null when it never ran), <see cref="Error"/> why it failed.
/// </summary>
public readonly record struct ChoiceEvent(int Choice, int TokenId, TokenLogprob? Logprob, bool Finished, DecodeSequence? Sequence,
    ApiException? Error);

/// <summary>A request's sequences in the scheduler, and the events of its choices (every choice ends with one Finished event).</summary>
public sealed class GenerationHandle
{
    private readonly Channel<ChoiceEvent> _events =
        Channel.CreateUnbounded<ChoiceEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private int _open;
    private volatile bool _cancelled;

    internal GenerationHandle(IReadOnlyList<(int Choice, DecodeRequest Request)> sequences, bool stream)
    {
        Stream = stream;
        Works = sequences.Select(s => new SequenceWork(this, s.Choice, s.Request)).ToList();
        _open = Works.Count;
        if (_open == 0) _events.Writer.Complete();
    }

    /// <summary>The events, in the order they happened; the reader ends after the last choice finishes.</summary>
    public ChannelReader<ChoiceEvent> Events => _events.Reader;

    /// <summary>Whether tokens are reported as they come.</summary>
    public bool Stream { get; }

    internal IReadOnlyList<SequenceWork> Works { get; }

    internal bool Cancelled => _cancelled;

    internal void MarkCancelled() => _cancelled = true;

    /// <summary>Scheduler thread only.</summary>
    internal void Write(ChoiceEvent e)
    {
        _events.Writer.TryWrite(e);
        if (e.Finished && --_open == 0) _events.Writer.Complete();
    }
}

/// <summary>One choice's sequence on its way through the scheduler (used by the scheduler thread only).</summary>
internal sealed class SequenceWork(GenerationHandle owner, int choice, DecodeRequest request)
{
    public GenerationHandle Owner { get; } = owner;
    public int Choice { get; } = choice;
    public DecodeRequest Request { get; } = request;
    public DecodeSequence? Sequence { get; set; }
    public int Reported { get; set; }
    public bool Done { get; set; }
}

/// <summary>
/// Continuous batching for a server: a loop on the <see cref="TorchThread"/> (which it holds while the server runs) owns
/// the model and a <see cref="DecodeBatch"/> of --max-batch rows. Between decode steps it drops the sequences of
/// requests that went away (<see cref="DecodeBatch.Remove"/>), runs queued scoring passes (echo with logprobs), joins waiting sequences while
/// rows are free (each keeps its own sampling settings, seed, stop strings and length), then steps every live row by
/// one token and reports tokens (to streaming requests) and finished sequences. At most --max-queue sequences wait
/// for a row; beyond that <see cref="Submit"/> refuses with 503.
/// </summary>
public sealed class Scheduler : IDisposable
{
    private readonly ServedModel _model;
    private readonly ServerMetrics _metrics;
    private readonly int _maxQueue;
    private readonly int? _threads;
    private readonly TextWriter _log;
    private readonly DecodeBatch _batch;
    private readonly ConcurrentQueue<SequenceWork> _incoming = new();
    private readonly ConcurrentQueue<GenerationHandle> _cancelled = new();
    private readonly ConcurrentQueue<ScoringJob> _scoring = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Lock _admission = new();
    private readonly Task _loop;
    private int _waiting;
    private volatile bool _stopping;

    private sealed record ScoringJob(IReadOnlyList<IReadOnlyList<int>> Sequences, int Top,
        TaskCompletionSource<IReadOnlyList<IReadOnlyList<TokenLogprob>>> Result);

    /// <summary>
    /// Allocates the batch (its KV cache holds <paramref name="maxBatch"/> × the served length) and starts the loop,
    /// which runs torch with <paramref name="threads"/> CPU threads when given and reports failed passes to <paramref name="log"/>.
    /// </summary>
    public Scheduler(ServedModel model, int maxBatch, int maxQueue, ServerMetrics metrics, int? threads = null, TextWriter? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueue, 1);
        _model = model;
        _metrics = metrics;
        _maxQueue = maxQueue;
        _threads = threads;
        _log = log ?? TextWriter.Null;
        _batch = TorchThread.Wait(TorchThread.RunAsync(() =>
            new DecodeBatch(model.Text.Model, maxBatch, model.MaxModelLength, model.MaxModelLength, model.Tokenizer,
                initialLength: Math.Min(InitialCacheLength, model.MaxModelLength))));
        metrics.SetCapacity(maxBatch);
        // Queued from the pool, never run inline: the loop holds the torch thread until Stop.
        _loop = Task.Run(() => TorchThread.RunAsync(() =>
        {
            Loop();
            return true;
        }));
    }

    /// <summary>
    /// Cache positions per row allocated at start; the cache doubles when the longest sequence needs more, up to
    /// --max-model-len.
    /// </summary>
    public const int InitialCacheLength = 256;

    /// <summary>Tokens that end a sequence (the model's and the tokenizer's eos).</summary>
    public IReadOnlySet<int> EosTokenIds => _batch.EosTokenIds;

    /// <summary>Whether the loop runs.</summary>
    public bool IsRunning => !_stopping && !_loop.IsCompleted;

    /// <summary>The text of a finished sequence: eos left out, cut before the earliest stop string.</summary>
    public string TextOf(DecodeSequence sequence) => _batch.TextOf(sequence.TokenIds, sequence.Request.StopStrings);

    /// <summary>Queues a request's sequences; throws 503 (<see cref="ApiException.QueueFull"/>) when they do not fit the queue.</summary>
    public GenerationHandle Submit(IReadOnlyList<(int Choice, DecodeRequest Request)> sequences, bool stream)
    {
        if (_stopping) throw ApiException.ShuttingDown();
        var handle = new GenerationHandle(sequences, stream);
        lock (_admission)
        {
            if (_waiting + sequences.Count > _maxQueue) throw ApiException.QueueFull(_waiting, _maxQueue);
            _waiting += sequences.Count;
            _metrics.SetQueueLength(_waiting);
        }
        foreach (var work in handle.Works) _incoming.Enqueue(work);
        _wake.Set();
        return handle;
    }

    /// <summary>Stops a request's sequences: waiting ones never join, live ones leave the batch before its next step.</summary>
    public void Cancel(GenerationHandle handle)
    {
        handle.MarkCancelled();
        _cancelled.Enqueue(handle);
        _wake.Set();
    }

    /// <summary>
    /// Per-token log-probabilities of <paramref name="sequences"/> (see <see cref="ContinuationScorer.TokenLogprobs"/>),
    /// run between decode steps.
    /// </summary>
    public Task<IReadOnlyList<IReadOnlyList<TokenLogprob>>> ScoreAsync(IReadOnlyList<IReadOnlyList<int>> sequences, int top)
    {
        if (_stopping) throw ApiException.ShuttingDown();
        var job = new ScoringJob(sequences, top, new(TaskCreationOptions.RunContinuationsAsynchronously));
        _scoring.Enqueue(job);
        _wake.Set();
        return job.Result.Task;
    }

    /// <summary>Ends the loop; every request still waiting or running gets 503 (shutting down).</summary>
    public void Stop()
    {
        _stopping = true;
        _wake.Set();
        if (!TorchThread.IsCurrent) _loop.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Stop();
        _batch.Dispose();
        _wake.Dispose();
    }

    private void Loop()
    {
        if (_threads is int threads) torch.set_num_threads(threads);
        var pending = new Queue<SequenceWork>();
        var live = new Dictionary<DecodeSequence, SequenceWork>();
        while (!_stopping)
        {
            _wake.Reset();
            while (_incoming.TryDequeue(out var work)) pending.Enqueue(work);
            try
            {
                DropCancelled(pending, live);
                RunScoring();
                JoinWaiting(pending, live);
                if (_batch.Count > 0) StepOnce(live);
            }
            catch (Exception e)
            {
                // A failed pass (out of memory, say) fails every live sequence; they leave, and the batch starts empty.
                // Nothing escapes the loop: an exception on this thread would end the process.
                _log.WriteLine($"cai serve: generation failed ({e.GetType().Name}): {e.Message}");
                var error = ApiException.GenerationFailed($"Generation failed: {e.Message}");
                foreach (var work in live.Values) Finish(work, error);
                live.Clear();
                foreach (var sequence in _batch.Sequences.ToList())
                {
                    try { _batch.Remove(sequence); }
                    catch (Exception) { } // the next pass fails again if the batch is broken, and fails its sequences
                }
            }
            Publish();
            if (_batch.Count == 0 && pending.Count == 0 && _incoming.IsEmpty && _scoring.IsEmpty && _cancelled.IsEmpty) _wake.Wait();
        }
        var shutdown = ApiException.ShuttingDown();
        while (_incoming.TryDequeue(out var work)) pending.Enqueue(work);
        foreach (var work in pending.Concat(live.Values)) Finish(work, shutdown);
        while (_scoring.TryDequeue(out var job)) job.Result.TrySetException(shutdown);
        lock (_admission) _waiting = 0;
        _metrics.SetQueueLength(0);
        _metrics.SetOccupancy(0);
    }

    private void DropCancelled(Queue<SequenceWork> pending, Dictionary<DecodeSequence, SequenceWork> live)
    {
        if (_cancelled.IsEmpty) return;
        while (_cancelled.TryDequeue(out var handle))
            foreach (var work in handle.Works)
                if (work.Sequence is { IsDone: false } sequence)
                {
                    _batch.Remove(sequence);
                    live.Remove(sequence);
                    Finish(work, null);
                }
        int before = pending.Count;
        var keep = pending.Where(w => !w.Owner.Cancelled).ToList();
        foreach (var work in pending.Where(w => w.Owner.Cancelled)) Finish(work, null);
        pending.Clear();
        foreach (var work in keep) pending.Enqueue(work);
        Dequeued(before - keep.Count);
    }

    private void RunScoring()
    {
        while (_scoring.TryDequeue(out var job))
        {
            try
            {
                var watch = Stopwatch.StartNew();
                job.Result.TrySetResult(_model.Scorer.TokenLogprobs(job.Sequences, job.Top));
                _metrics.Scored(watch.Elapsed.TotalSeconds);
            }
            catch (Exception e)
            {
                job.Result.TrySetException(ApiException.GenerationFailed($"Scoring failed: {e.Message}"));
            }
        }
    }

    private void JoinWaiting(Queue<SequenceWork> pending, Dictionary<DecodeSequence, SequenceWork> live)
    {
        if (pending.Count == 0 || _batch.FreeRows == 0) return;
        var joining = new List<SequenceWork>();
        int taken = 0;
        for (; pending.Count > 0 && joining.Count < _batch.FreeRows; taken++)
        {
            var work = pending.Dequeue();
            if (work.Owner.Cancelled) Finish(work, null);
            else joining.Add(work);
        }
        Dequeued(taken);
        if (joining.Count == 0) return;
        IReadOnlyList<DecodeSequence> sequences;
        try
        {
            sequences = _batch.Join(joining.Select(w => w.Request).ToList());
        }
        catch (Exception e)
        {
            var error = ApiException.GenerationFailed($"The sequence could not join the batch: {e.Message}");
            foreach (var work in joining) Finish(work, error);
            return;
        }
        for (int i = 0; i < sequences.Count; i++)
        {
            joining[i].Sequence = sequences[i];
            live[sequences[i]] = joining[i];
        }
    }

    private void StepOnce(Dictionary<DecodeSequence, SequenceWork> live)
    {
        int rows = _batch.Count;
        var finished = _batch.Step();
        foreach (var sequence in _batch.Sequences) Report(live[sequence]);
        foreach (var sequence in finished)
        {
            var work = live[sequence];
            live.Remove(sequence);
            if (sequence.Error is null) Report(work);
            Finish(work, sequence.Error is null ? null : ApiException.GenerationFailed(sequence.Error));
        }
        _metrics.Stepped(rows);
    }

    /// <summary>Sends a streaming choice the tokens it has not seen.</summary>
    private static void Report(SequenceWork work)
    {
        if (!work.Owner.Stream) return;
        var sequence = work.Sequence!;
        for (; work.Reported < sequence.TokenIds.Count; work.Reported++)
        {
            var token = sequence.TokenIds[work.Reported];
            work.Owner.Write(new ChoiceEvent(work.Choice, token, sequence.Logprobs?[work.Reported], false, null, null));
        }
    }

    private void Finish(SequenceWork work, ApiException? error)
    {
        if (work.Done) return;
        work.Done = true;
        if (work.Sequence is { } sequence && error is null) _metrics.Completed(sequence.TokenIds.Count);
        work.Owner.Write(new ChoiceEvent(work.Choice, -1, null, true, work.Sequence, error));
    }

    private void Dequeued(int count)
    {
        if (count == 0) return;
        lock (_admission)
        {
            _waiting -= count;
            _metrics.SetQueueLength(_waiting);
        }
    }

    private void Publish()
    {
        _metrics.SetOccupancy(_batch.Count);
        _metrics.SetGeneration(_batch.Statistics);
    }
}
