using System.Text;
using System.Text.Json;
using Cai.Abstractions.Text;
using Cai.Models.Generation;
using Microsoft.AspNetCore.Http;

namespace Cai.Cli.Serve;

/// <summary>
/// Answers /v1/chat/completions and /v1/completions: checks the request (<see cref="GenerationPlan"/>), scores an
/// echoed prompt, queues the choices' sequences in the <see cref="Scheduler"/> and writes the answer whole or as
/// server-sent events ending with <c>data: [DONE]</c>. A client that goes away cancels its sequences.
/// </summary>
public sealed class GenerationResponder(ServedModel model, Scheduler scheduler, ServerMetrics metrics)
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>POST /v1/chat/completions.</summary>
    public async Task ChatAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync<ChatCompletionRequest>(context);
        await RunAsync(context, GenerationPlan.ForChat(body, model), chat: true);
    }

    /// <summary>POST /v1/completions.</summary>
    public async Task CompletionsAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync<CompletionRequest>(context);
        await RunAsync(context, GenerationPlan.ForCompletion(body, model), chat: false);
    }

    private async Task RunAsync(HttpContext context, GenerationPlan plan, bool chat)
    {
        var answer = new Answer(chat ? "chatcmpl-" : "cmpl-", plan);
        if (plan.Echo && plan.TopLogprobs is int top)
            answer.PromptScores = await scheduler.ScoreAsync(plan.Prompts.Select(p => p.Ids).ToList(), top);
        var sequences = Enumerable.Range(0, plan.Choices)
            .Where(c => plan.Prompts[c / plan.N].MaxTokens > 0)
            .Select(c => (c, plan.Request(c)))
            .ToList();
        var handle = scheduler.Submit(sequences, plan.Stream);
        metrics.Prompted(answer.PromptTokens);
        bool finished = false;
        using var registration = context.RequestAborted.Register(() => scheduler.Cancel(handle));
        try
        {
            if (plan.Stream) await StreamAsync(context, answer, handle, chat);
            else await WholeAsync(context, answer, handle, chat);
            finished = true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; its sequences are cancelled below.
        }
        finally
        {
            if (!finished) scheduler.Cancel(handle);
        }
    }

    private async Task WholeAsync(HttpContext context, Answer answer, GenerationHandle handle, bool chat)
    {
        var plan = answer.Plan;
        var done = new DecodeSequence?[plan.Choices];
        ApiException? error = null;
        await foreach (var e in handle.Events.ReadAllAsync())
        {
            if (!e.Finished) continue;
            error ??= e.Error;
            done[e.Choice] = e.Sequence;
        }
        if (context.RequestAborted.IsCancellationRequested) return;
        if (error is not null) throw error;
        var usage = Usage.Of(answer.PromptTokens, done.Sum(s => s?.TokenIds.Count ?? 0));
        ChatChoice ChatChoiceOf(int c)
        {
            var sequence = done[c]!;
            var logprobs = sequence.Logprobs is { } l ? LogprobFormat.Chat(model.Tokenizer, WithoutEos(l)) : null;
            return new ChatChoice(c, new ChatMessage("assistant", scheduler.TextOf(sequence)), logprobs, FinishReasonOf(sequence));
        }
        CompletionChoice CompletionChoiceOf(int c)
        {
            var prompt = plan.Prompts[c / plan.N];
            var sequence = done[c];
            string text = sequence is null ? "" : scheduler.TextOf(sequence);
            var logprobs = plan.TopLogprobs is null ? null : LogprobFormat.Completion(model.Tokenizer, plan.Echo ? prompt.Ids : null,
                answer.PromptScoresOf(c), WithoutEos(sequence?.Logprobs ?? []), plan.Echo ? 0 : prompt.Text.Length);
            return new CompletionChoice(c, plan.Echo ? prompt.Text + text : text, logprobs, FinishReasonOf(sequence));
        }
        var choices = Enumerable.Range(0, plan.Choices);
        object response = chat
            ? new ChatCompletion(answer.Id, answer.Created, model.Name, model.Fingerprint, [.. choices.Select(ChatChoiceOf)], usage)
            : new Completion(answer.Id, answer.Created, model.Name, model.Fingerprint, [.. choices.Select(CompletionChoiceOf)], usage);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, response, response.GetType(), OpenAiJson.Options,
            context.RequestAborted);
    }

    private async Task StreamAsync(HttpContext context, Answer answer, GenerationHandle handle, bool chat)
    {
        var plan = answer.Plan;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted); // the headers go out now, before the first token
        var texts = Enumerable.Range(0, plan.Choices)
            .Select(_ => new ChoiceText(model.Tokenizer, scheduler.EosTokenIds, plan.StopStrings))
            .ToArray();
        // Completions: where the next token's text starts in prompt + completion (the prompt's own tokens when echoed).
        var offsets = Enumerable.Range(0, plan.Choices).Select(c => plan.Echo ? 0 : plan.Prompts[c / plan.N].Text.Length).ToArray();
        int completionTokens = 0;

        async Task Send(object chunk)
        {
            await response.Body.WriteAsync("data: "u8.ToArray(), context.RequestAborted);
            await JsonSerializer.SerializeAsync(response.Body, chunk, chunk.GetType(), OpenAiJson.Options, context.RequestAborted);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
        }
        Task Chunk(int choice, string? text, IReadOnlyList<TokenLogprob>? logprobs, string? finishReason,
            bool first = false, bool echoed = false)
        {
            if (chat)
                return Send(new ChatCompletionChunk(answer.Id, answer.Created, model.Name, model.Fingerprint,
                    [new ChatChunkChoice(choice, new ChatDelta(first ? "assistant" : null, text),
                        logprobs is null ? null : LogprobFormat.Chat(model.Tokenizer, logprobs), finishReason)], null));
            CompletionLogprobs? wire = null;
            if (logprobs is not null || echoed)
            {
                wire = LogprobFormat.Completion(model.Tokenizer, echoed ? plan.Prompts[choice / plan.N].Ids : null,
                    answer.PromptScoresOf(choice), logprobs ?? [], offsets[choice]);
                offsets[choice] += wire.Tokens.Sum(t => t.Length);
            }
            return Send(new Completion(answer.Id, answer.Created, model.Name, model.Fingerprint,
                [new CompletionChoice(choice, text ?? "", wire, finishReason)], null));
        }

        for (int c = 0; c < plan.Choices; c++)
        {
            if (chat) await Chunk(c, "", null, null, first: true);
            else if (plan.Echo && plan.TopLogprobs is null) await Chunk(c, plan.Prompts[c / plan.N].Text, null, null);
            else if (plan.Echo) await Chunk(c, plan.Prompts[c / plan.N].Text, [], null, echoed: true);
            if (plan.Prompts[c / plan.N].MaxTokens == 0) await Chunk(c, chat ? null : "", null, "length");
        }
        await foreach (var e in handle.Events.ReadAllAsync(context.RequestAborted))
        {
            var text = texts[e.Choice];
            if (!e.Finished)
            {
                string delta = text.Add(e.TokenId, e.Logprob);
                var logprobs = plan.TopLogprobs is null ? null : text.TakeLogprobs();
                if (delta.Length > 0 || logprobs is { Count: > 0 }) await Chunk(e.Choice, delta, logprobs, null);
                continue;
            }
            if (e.Error is not null)
            {
                await Send(e.Error.ToResponse());
                continue;
            }
            if (e.Sequence is not { } sequence) continue; // cancelled
            completionTokens += sequence.TokenIds.Count;
            string rest = text.Finish(scheduler.TextOf(sequence));
            var last = plan.TopLogprobs is null ? null : text.TakeLogprobs();
            if (rest.Length > 0 || last is { Count: > 0 }) await Chunk(e.Choice, rest, last, null);
            await Chunk(e.Choice, chat ? null : "", null, FinishReasonOf(sequence));
        }
        if (plan.IncludeUsage)
        {
            var usage = Usage.Of(answer.PromptTokens, completionTokens);
            await Send(chat
                ? new ChatCompletionChunk(answer.Id, answer.Created, model.Name, model.Fingerprint, [], usage)
                : new Completion(answer.Id, answer.Created, model.Name, model.Fingerprint, [], usage));
        }
        await response.Body.WriteAsync(Done, context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
    }

    private IEnumerable<TokenLogprob> WithoutEos(IEnumerable<TokenLogprob> logprobs) =>
        logprobs.Where(l => !scheduler.EosTokenIds.Contains(l.TokenId));

    /// <summary>"length" when the sequence ran out of tokens (or had none to generate), else "stop" (eos or a stop string).</summary>
    private static string FinishReasonOf(DecodeSequence? sequence) =>
        sequence?.FinishReason is null or FinishReason.Length ? "length" : "stop";

    /// <summary>What the choices of one answer share.</summary>
    private sealed class Answer(string prefix, GenerationPlan plan)
    {
        public string Id { get; } = prefix + Guid.NewGuid().ToString("N");
        public long Created { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        public GenerationPlan Plan { get; } = plan;
        public int PromptTokens { get; } = plan.Prompts.Sum(p => p.Ids.Count);
        public IReadOnlyList<IReadOnlyList<TokenLogprob>>? PromptScores { get; set; }
        public IReadOnlyList<TokenLogprob>? PromptScoresOf(int choice) => PromptScores?[choice / Plan.N];
    }
}

/// <summary>Reads a JSON request body, turning what is wrong with it into OpenAI's 400 errors.</summary>
public static class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : class
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw ApiException.MalformedJson(e.Message);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw ApiException.BadParameter(null, "The request body must be a JSON object.");
            try
            {
                return document.RootElement.Deserialize<T>(OpenAiJson.Options)!;
            }
            catch (JsonException e)
            {
                string? param = e.Path is { Length: > 2 } path ? path[2..] : null;
                throw ApiException.BadParameter(param, $"Invalid type for '{param}': {Expected(e.Message)}.", "invalid_type");
            }
        }
    }

    /// <summary>The .NET type a value could not be converted to, in JSON's words.</summary>
    private static string Expected(string message) => message switch
    {
        _ when message.Contains("Int32") || message.Contains("Int64") => "expected an integer",
        _ when message.Contains("Double") => "expected a number",
        _ when message.Contains("Boolean") => "expected a boolean",
        _ when message.Contains("String") => "expected a string",
        _ when message.Contains("List") => "expected a list",
        _ => "expected an object",
    };
}
