using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Cai.Cli.Tests.Serve;

/// <summary>How `cai serve` starts and stops: bad input is one error line; SIGTERM stops it cleanly.</summary>
public class ServeStartupTests
{
    private static (int Exit, string Output, string Error) Cai(params string[] args) => GlobalConsoleCollection.Run(args);

    [Theory]
    [InlineData("--model", "/nonexistent/cai-model", "/nonexistent/cai-model: checkpoint directory not found")]
    [InlineData("--api-key-env", "CAI_SERVE_TEST_UNSET", "--api-key-env: the environment variable 'CAI_SERVE_TEST_UNSET' is not set or empty")]
    [InlineData("--max-batch", "0", "--max-batch: must be in [1, 4096], got 0")]
    [InlineData("--max-queue", "0", "--max-queue: must be in [1, 1048576], got 0")]
    [InlineData("--port", "70000", "--port: must be in [0, 65535], got 70000")]
    [InlineData("--max-model-len", "5000", "--max-model-len: must be at most the model's context length (768), got 5000")]
    [InlineData("--host", "example.com", "--host: 'example.com' is not an IP address or localhost")]
    [InlineData("--chat-format", "vicuna", "--chat-format: 'vicuna' is not a built-in chat format (chatml, llama-3, mistral, gemma, phi-3, human-assistant)")]
    public void BadInputIsOneErrorLine(string option, string value, string message)
    {
        string[] args = option == "--model" ? ["serve", option, value] : ["serve", "--model", ServeProcess.TinyModel, option, value];
        var (exit, output, error) = Cai(args);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {message}", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task APortInUseIsOneErrorLine()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var start = new ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "cai.dll"), "serve", "--model", ServeProcess.TinyModel, "--port", port.ToString(), "--device", "cpu"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120))) process.Kill(entireProcessTree: true);
        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", output);
        string line = Assert.Single((await error).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: --port: {port}: ", line);
        Assert.Contains("address already in use", line);
    }

    [Fact]
    public async Task SigtermStopsTheServerCleanly()
    {
        using var server = new ServeProcess("--max-batch", "2");
        // A streamed answer in flight when the signal comes ends with an error event and [DONE].
        var streaming = server.StreamAsync("v1/completions", new JsonObject
        {
            ["model"] = ServeProcess.ModelName, ["prompt"] = "Once", ["max_tokens"] = 700, ["ignore_eos"] = true, ["stream"] = true,
        });
        await server.WaitForMetricsAsync(m => ServeProcess.Value(m, "cai_batch_occupancy") == 1);
        Assert.Equal(0, server.Terminate());
        var (events, done) = await streaming;
        Assert.True(done);
        Assert.Equal("shutting_down", events[^1]["error"]!["code"]!.GetValue<string>());
        Assert.Contains("cai serve: stopped", server.Output);
        Assert.Equal("", server.Error);
    }
}
