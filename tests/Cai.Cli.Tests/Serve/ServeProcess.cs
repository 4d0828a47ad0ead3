using System.ClientModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace Cai.Cli.Tests.Serve;

/// <summary>
/// `cai serve` as a real child process (`dotnet cai.dll serve`) on 127.0.0.1 with a port the system picks, serving the
/// embedded default model on the CPU. Disposing stops it with SIGTERM (and kills it if it lingers).
/// </summary>
public class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new(), _error = new();

    public ServeProcess(params string[] arguments) : this(new Dictionary<string, string>(), arguments) { }

    public ServeProcess(IReadOnlyDictionary<string, string> environment, params string[] arguments)
        : this(TinyModel, environment, arguments) { }

    /// <summary>Serves the checkpoint <paramref name="model"/> (its folder's name is the served model name).</summary>
    public ServeProcess(string model, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "cai.dll"), "serve", "--model", model, "--host", "127.0.0.1", "--port", "0", "--device", "cpu", .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            if (e.Data.StartsWith("listening on ", StringComparison.Ordinal)) listening.TrySetResult(e.Data["listening on ".Length..]);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"cai serve exited with {_process.ExitCode}: {Error}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!listening.Task.Wait(TimeSpan.FromSeconds(120)))
        {
            Dispose();
            throw new TimeoutException($"cai serve did not print its URL within 120 s: {Output} {Error}");
        }
        Url = new Uri(listening.Task.Result.TrimEnd('/') + "/");
        Assert.True(Url.IsLoopback, Url.ToString());
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(120) };
        Hangup = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(120) };
    }

    public const string ModelName = "cai-tiny-base";

    public static string TinyModel => Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "models", "cai-tiny-base");

    public Uri Url { get; }

    public HttpClient Http { get; }

    /// <summary>A client that closes the connection when a response is disposed before its end (no draining), as a client that goes away.</summary>
    public HttpClient Hangup { get; }

    public int ProcessId => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public string Error { get { lock (_error) return _error.ToString(); } }

    /// <summary>An OpenAI chat client for this server.</summary>
    public ChatClient Chat(string apiKey = "unused") =>
        new(ModelName, new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(Url, "v1"), NetworkTimeout = TimeSpan.FromSeconds(120) });

    /// <summary>/metrics as name{labels} → value.</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        string text = await Http.GetStringAsync("metrics");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => (Name: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Name, p => p.Value);
    }

    /// <summary>POSTs JSON; returns the status and the parsed body.</summary>
    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string path, JsonNode body, string? apiKey = null) =>
        PostAsync(path, body.ToJsonString(), apiKey);

    /// <summary>POSTs a body as it is; returns the status and the parsed body.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(string path, string body, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is not null) request.Headers.Authorization = new("Bearer", apiKey);
        var response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>POSTs a streaming request and reads its server-sent events: the JSON of each, and whether [DONE] ended them.</summary>
    public async Task<(List<JsonNode> Events, bool Done)> StreamAsync(string path, JsonNode body, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (apiKey is not null) request.Headers.Authorization = new("Bearer", apiKey);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<JsonNode>();
        bool done = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            Assert.False(done, "an event after [DONE]");
            if (line == "data: [DONE]") done = true;
            else events.Add(JsonNode.Parse(line["data: ".Length..])!);
        }
        return (events, done);
    }

    /// <summary>A metric's value, 0 when it has no sample yet.</summary>
    public static double Value(Dictionary<string, double> metrics, string name) => metrics.GetValueOrDefault(name);

    /// <summary>The requests counted for an endpoint and status.</summary>
    public static double Requests(Dictionary<string, double> metrics, string endpoint, int status) =>
        metrics.GetValueOrDefault($"cai_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}}");

    /// <summary>Polls /metrics until <paramref name="done"/> holds (at most 20 s); returns the last metrics.</summary>
    public async Task<Dictionary<string, double>> WaitForMetricsAsync(Func<Dictionary<string, double>, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var metrics = await MetricsAsync();
            if (done(metrics) || watch.Elapsed > TimeSpan.FromSeconds(20)) return metrics;
            await Task.Delay(20);
        }
    }

    /// <summary>Sends SIGTERM; returns the exit code, or null if it had not exited after 20 s (then it is killed).</summary>
    public int? Terminate()
    {
        if (_process.HasExited) return _process.ExitCode;
        _ = Kill(_process.Id, 15);
        if (_process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            _process.WaitForExit(); // drains the output
            return _process.ExitCode;
        }
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        return null;
    }

    public void Dispose()
    {
        Http?.Dispose();
        Hangup?.Dispose();
        Terminate();
        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>The server most tests share: 32 rows, no API key.</summary>
public sealed class DefaultServer() : ServeProcess("--max-batch", "32");

/// <summary>A server with one row, room for one waiting sequence, and an API key from SERVE_TEST_KEY.</summary>
public sealed class GuardedServer() : ServeProcess(new Dictionary<string, string> { ["SERVE_TEST_KEY"] = Key },
    "--max-batch", "1", "--max-queue", "1", "--api-key-env", "SERVE_TEST_KEY", "--served-model-name", ModelName)
{
    public const string Key = "sk-test-0123456789";
}
