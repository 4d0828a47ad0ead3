using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Cai.Abstractions.Input;
using Cai.Cli.Serve;
using Cai.Models;
using Cai.Models.Chat;
using Cai.Models.Checkpoints;
using Cai.Models.Tokenization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Cai.Cli.Commands;

/// <summary>What `cai serve` was asked to do: each option's default and range.</summary>
/// <remarks>The ranges are checked by <see cref="CaiCommandLine.CheckArguments"/>, naming each as its option.</remarks>
public sealed record ServeArguments
{
    /// <summary>Checkpoint directory (config.json, weights, tokenizer).</summary>
    public required string Model { get; init; }

    /// <summary>Address to listen on: an IP address or localhost. Default 127.0.0.1, this machine only.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 takes a free one (the printed URL says which). Default 8000.</summary>
    [Range(0, 65535)]
    public int Port { get; init; } = 8000;

    /// <summary>auto (cuda when TorchSharp sees a GPU, else cpu), cpu, cuda or cuda:N (<see cref="DeviceOptions"/>).</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Parameter type of the model (<see cref="DeviceOptions"/>). Default float32.</summary>
    public string DType { get; init; } = "float32";

    /// <summary>Rows of the batch: sequences generated together. Default 32.</summary>
    [Range(1, 4096)]
    public int MaxBatch { get; init; } = 32;

    /// <summary>Sequences that may wait for a row; a request that would pass it gets 503. Default 1024.</summary>
    [Range(1, 1 << 20)]
    public int MaxQueue { get; init; } = 1024;

    /// <summary>
    /// Most tokens of a prompt and its completion, at most the model's context length (ModelConfig.ContextLength), which
    /// is the default. The KV cache grows up to MaxBatch × this many positions.
    /// </summary>
    [Range(2, int.MaxValue)]
    public int? MaxModelLen { get; init; }

    /// <summary>An environment variable holding the API key clients must send as "Authorization: Bearer KEY"; none: no key.</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>The model id clients send; default the checkpoint folder's name.</summary>
    public string? ServedModelName { get; init; }

    /// <summary>
    /// A built-in chat format (ChatTemplate.BuiltInNames: chatml, llama-3, mistral, gemma, phi-3, human-assistant) for
    /// /v1/chat/completions instead of the checkpoint's own template (as a recipe's chat_format); default the checkpoint's.
    /// </summary>
    public string? ChatFormat { get; init; }

    /// <summary>Torch CPU threads of the generation loop; default libtorch's (as `cai generate --threads`).</summary>
    [Range(1, 1024)]
    public int? Threads { get; init; }
}

/// <summary>
/// `cai serve --model DIR`: an OpenAI-compatible HTTP server over a checkpoint (ASP.NET Core minimal APIs), with
/// continuous batching of concurrent requests (<see cref="Scheduler"/>). Prints its URL once it listens and stops
/// cleanly on Ctrl-C or SIGTERM. See docs/serve.md.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model")
        {
            Description = "Checkpoint directory (config.json, safetensors, tokenizer files).", Required = true,
        };
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on: an IP address or localhost.", DefaultValueFactory = _ => "127.0.0.1",
        };
        var port = new Option<int>("--port") { Description = "TCP port; 0 takes a free one.", DefaultValueFactory = _ => 8000 };
        var device = DeviceOptions.Device();
        var dtype = DeviceOptions.DType();
        var maxBatch = new Option<int>("--max-batch")
        {
            Description = "Rows of the batch: sequences generated together.", DefaultValueFactory = _ => 32,
        };
        var maxQueue = new Option<int>("--max-queue")
        {
            Description = "Sequences that may wait for a row; beyond, requests get 503.", DefaultValueFactory = _ => 1024,
        };
        var maxModelLen = new Option<int?>("--max-model-len")
        {
            Description = "Most tokens of a prompt and its completion (default: the model's context).",
        };
        var apiKeyEnv = new Option<string?>("--api-key-env")
        {
            Description = "Environment variable holding the API key clients must send (Bearer).",
        };
        var servedName = new Option<string?>("--served-model-name")
        {
            Description = "The model id clients send (default: the checkpoint folder's name).",
        };
        var chatFormat = new Option<string?>("--chat-format")
        {
            Description = $"A built-in chat format instead of the checkpoint's template: {string.Join(", ", ChatTemplate.BuiltInNames)}.",
        };
        var threads = new Option<int?>("--threads") { Description = "Torch CPU threads of the generation loop (default: libtorch's)." };
        var command = new Command("serve",
            "Serve a checkpoint over an OpenAI-compatible HTTP API (chat and completions, streaming, scoring).")
        {
            model, host, port, device, dtype, maxBatch, maxQueue, maxModelLen, apiKeyEnv, servedName, chatFormat, threads,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(new ServeArguments
        {
            Model = parse.GetValue(model)!.FullName,
            Host = parse.GetValue(host)!,
            Port = parse.GetValue(port),
            Device = parse.GetValue(device)!,
            DType = parse.GetValue(dtype)!,
            MaxBatch = parse.GetValue(maxBatch),
            MaxQueue = parse.GetValue(maxQueue),
            MaxModelLen = parse.GetValue(maxModelLen),
            ApiKeyEnv = parse.GetValue(apiKeyEnv),
            ServedModelName = parse.GetValue(servedName),
            ChatFormat = parse.GetValue(chatFormat),
            Threads = parse.GetValue(threads),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    /// <summary>
    /// Loads the checkpoint, serves until Ctrl-C, SIGTERM or <paramref name="cancellationToken"/>; returns the exit code.
    /// </summary>
    /// <remarks>Bad input (options, the checkpoint, a port in use) is an <see cref="InputException"/>.</remarks>
    public static async Task<int> RunAsync(ServeArguments arguments, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        var address = Check(arguments, out string? apiKey);
        var factory = DeviceOptions.Factory(arguments.Device, arguments.DType);
        // The model loads on the torch thread, where the scheduler runs it (one OpenMP team for the process: see TorchThread).
        var loaded = await TorchThread.RunAsync(() => CheckpointDirectory.Load(arguments.Model, () => factory.LoadTextModel(arguments.Model, arguments.ChatFormat)));
        int context = loaded.Model.Config.ContextLength;
        int maxModelLength = arguments.MaxModelLen ?? context;
        if (maxModelLength > context)
        {
            loaded.Dispose();
            throw InputException.ForOption("--max-model-len",
                $"must be at most the model's context length ({context}), got {maxModelLength}");
        }
        string name = arguments.ServedModelName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(arguments.Model));
        using var model = new ServedModel(loaded, name, maxModelLength);
        var metrics = new ServerMetrics();
        using var scheduler = new Scheduler(model, arguments.MaxBatch, arguments.MaxQueue, metrics, arguments.Threads, error);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "cai", ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); // a failed start is reported as one error line below
        // Ctrl-C and SIGTERM stop the server here (StopOnSignals) and through the command line's token, not in the host.
        builder.Services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(address, arguments.Port);
        });
        await using var app = builder.Build();
        OpenAiEndpoints.Map(app, model, scheduler, metrics, apiKey);
        app.Lifetime.ApplicationStopping.Register(scheduler.Stop);
        using var signals = StopOnSignals(app.Lifetime);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw InputException.ForOption("--port", $"{arguments.Port}: {e.Message}");
        }
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var config = loaded.Model.Config;
        int elementBytes = loaded.Model.DType switch
        {
            torch.ScalarType.Float64 => 8,
            torch.ScalarType.Float16 or torch.ScalarType.BFloat16 => 2,
            _ => 4,
        };
        double cacheMiB = 2.0 * config.NumHiddenLayers * arguments.MaxBatch * config.NumKeyValueHeads * maxModelLength * config.HeadDim
            * elementBytes / (1 << 20);
        string device = loaded.Model.Device.type.ToString().ToLowerInvariant();
        output.WriteLine($"cai serve: {name} on {device} ({loaded.Model.DType}), {arguments.MaxBatch} rows × {maxModelLength} positions "
            + $"(KV cache up to {cacheMiB.ToString("F0", CultureInfo.InvariantCulture)} MiB, "
            + $"from {Math.Min(Scheduler.InitialCacheLength, maxModelLength)} positions, doubling as sequences need)");
        if (apiKey is null && !IPAddress.IsLoopback(address))
            error.WriteLine($"warning: listening on {address} without an API key (--api-key-env)");
        output.WriteLine($"listening on {url}");
        output.Flush();
        await app.WaitForShutdownAsync(cancellationToken);
        output.WriteLine("cai serve: stopped");
        return 0;
    }

    /// <summary>
    /// SIGINT (Ctrl-C), SIGTERM and SIGQUIT stop the server gracefully: requests in flight end (generation with 503,
    /// shutting down) and the command returns 0.
    /// </summary>
    private static IDisposable StopOnSignals(IHostApplicationLifetime lifetime)
    {
        var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                lifetime.StopApplication();
            }))
            .ToList();
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose() => registrations.ForEach(r => r.Dispose());
    }

    /// <summary>Checks the options before anything loads; returns the address to listen on and the API key.</summary>
    private static IPAddress Check(ServeArguments arguments, out string? apiKey)
    {
        CaiCommandLine.CheckArguments(arguments);
        CheckpointDirectory.RequireDirectory(arguments.Model);
        if (!TextTokenizer.Exists(arguments.Model))
            throw new InputException(new SourceLocation(arguments.Model),
                "has no tokenizer (tokenizer.json, tokenizer.model or vocab.json + merges.txt); cai serve needs one");
        if (arguments.ChatFormat is { } format && !ChatTemplate.BuiltInNames.Contains(format))
            throw InputException.ForOption("--chat-format",
                $"{InputError.Quote(format)} is not a built-in chat format ({string.Join(", ", ChatTemplate.BuiltInNames)})");
        if (arguments.ServedModelName is { } served && string.IsNullOrWhiteSpace(served))
            throw InputException.ForOption("--served-model-name", "is empty");
        apiKey = null;
        if (arguments.ApiKeyEnv is { } variable)
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(apiKey))
                throw InputException.ForOption("--api-key-env",
                    $"the environment variable {InputError.Quote(variable)} is not set or empty");
        }
        if (arguments.Host == "localhost") return IPAddress.Loopback;
        return IPAddress.TryParse(arguments.Host, out var address)
            ? address
            : throw InputException.ForOption("--host", $"{InputError.Quote(arguments.Host)} is not an IP address or localhost");
    }
}

/// <summary>A host lifetime that leaves the process signals to System.CommandLine.</summary>
internal sealed class CommandLineLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
