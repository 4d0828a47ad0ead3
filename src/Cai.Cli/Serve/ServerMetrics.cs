using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Cai.Models.Generation;

namespace Cai.Cli.Serve;

/// <summary>
/// What /metrics reports, in Prometheus' text format: requests by endpoint and status, generation passes (prefills
/// and decode steps) and scoring passes, batch occupancy and capacity, queue length, prompt and completion tokens, and
/// generated tokens per second of generation time. Written by the request handlers and the scheduler thread.
/// </summary>
public sealed class ServerMetrics
{
    private readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();
    private long _promptTokens, _completionTokens, _rowsDecoded, _scoringPasses;
    private long _scoringTicks;
    private int _capacity, _occupancy, _queueLength;
    private GenerationStatistics _generation = new(0, 0, 0);
    private readonly Lock _generationLock = new();

    /// <summary>A request to <paramref name="endpoint"/> answered with <paramref name="status"/>.</summary>
    public void Request(string endpoint, int status) => _requests.AddOrUpdate((endpoint, status), 1, (_, n) => n + 1);

    /// <summary>Prompt tokens of an accepted request (each prompt once, whatever its n).</summary>
    public void Prompted(int tokens) => Interlocked.Add(ref _promptTokens, tokens);

    /// <summary>A sequence finished with <paramref name="tokens"/> new tokens.</summary>
    public void Completed(int tokens) => Interlocked.Add(ref _completionTokens, tokens);

    /// <summary>A decode step over <paramref name="rows"/> live rows.</summary>
    public void Stepped(int rows) => Interlocked.Add(ref _rowsDecoded, rows);

    /// <summary>A scoring pass (echo with logprobs).</summary>
    public void Scored(double seconds)
    {
        Interlocked.Increment(ref _scoringPasses);
        Interlocked.Add(ref _scoringTicks, TimeSpan.FromSeconds(seconds).Ticks);
    }

    public void SetCapacity(int rows) => Volatile.Write(ref _capacity, rows);

    public void SetOccupancy(int rows) => Volatile.Write(ref _occupancy, rows);

    public void SetQueueLength(int sequences) => Volatile.Write(ref _queueLength, sequences);

    /// <summary>The batch's totals so far (<see cref="DecodeBatch.Statistics"/>).</summary>
    public void SetGeneration(GenerationStatistics statistics)
    {
        lock (_generationLock) _generation = statistics;
    }

    /// <summary>The Prometheus text exposition (version 0.0.4).</summary>
    public string Render()
    {
        GenerationStatistics g;
        lock (_generationLock) g = _generation;
        long prefills = g.ForwardPasses - g.DecodeSteps;
        var text = new StringBuilder();
        void Metric(string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in samples)
                text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        void One(string name, string type, string help, double value) => Metric(name, type, help, [("", value)]);

        Metric("cai_requests_total", "counter", "HTTP requests answered, by endpoint and status code.",
            _requests.OrderBy(r => r.Key.Endpoint, StringComparer.Ordinal).ThenBy(r => r.Key.Status)
                .Select(r => ($"{{endpoint=\"{r.Key.Endpoint}\",status=\"{r.Key.Status}\"}}", (double)r.Value)));
        One("cai_generation_passes_total", "counter", "Forward passes of generation: prefills and decode steps.", g.ForwardPasses);
        One("cai_prefill_passes_total", "counter", "Prefill passes (sequences joining the batch, together).", prefills);
        One("cai_decode_steps_total", "counter", "Decode steps (one token for every live row).", g.DecodeSteps);
        One("cai_decode_rows_total", "counter", "Rows decoded over all steps (divided by the steps: the mean batch occupancy).",
            Interlocked.Read(ref _rowsDecoded));
        One("cai_scoring_passes_total", "counter", "Scoring passes (echo with logprobs).", Interlocked.Read(ref _scoringPasses));
        One("cai_batch_occupancy", "gauge", "Live rows of the batch now.", Volatile.Read(ref _occupancy));
        One("cai_batch_capacity", "gauge", "Rows of the batch (--max-batch).", Volatile.Read(ref _capacity));
        One("cai_queue_length", "gauge", "Sequences waiting for a row.", Volatile.Read(ref _queueLength));
        One("cai_prompt_tokens_total", "counter", "Prompt tokens of accepted requests (each prompt once, whatever its n).",
            Interlocked.Read(ref _promptTokens));
        One("cai_completion_tokens_total", "counter", "Tokens generated for finished sequences.", Interlocked.Read(ref _completionTokens));
        One("cai_generated_tokens_total", "counter", "Tokens generated by the batch, finished or not.", g.GeneratedTokens);
        One("cai_generation_seconds_total", "counter", "Seconds the scheduler spent in prefill and decode passes.", g.Seconds);
        One("cai_prefill_seconds_total", "counter", "Of those, seconds in prefill passes.", g.PrefillSeconds);
        One("cai_forward_seconds_total", "counter", "Of those, seconds in decode steps' forward passes.", g.DecodeSeconds);
        One("cai_sampling_seconds_total", "counter", "Of those, seconds in decode steps' sampling and bookkeeping (host transfers included).", g.SamplingSeconds);
        One("cai_scoring_seconds_total", "counter", "Seconds the scheduler spent in scoring passes.",
            TimeSpan.FromTicks(Interlocked.Read(ref _scoringTicks)).TotalSeconds);
        One("cai_generation_tokens_per_second", "gauge", "Generated tokens per second of generation time since the start.",
            g.Seconds > 0 ? g.GeneratedTokens / g.Seconds : 0);
        return text.ToString();
    }
}
