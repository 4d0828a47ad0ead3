using System.Diagnostics;
using System.Text.Json.Nodes;
using Cai.Core.Runs;

namespace Cai.Cli.Tests;

/// <summary>
/// A tiny recipe with a stage of every kind (evaluate, generate, critique-revise, train with sft, reward, dpo and ppo,
/// sample-pairs, label) and a tiny pretrain recipe, each run once uninterrupted (in this process) as the baseline that
/// killed-and-resumed runs are compared with. Batches of one item and a save every step leave room to kill mid-stage.
/// </summary>
public sealed class ResumeFixture : IDisposable
{
    public ResumeFixture()
    {
        Root = Directory.CreateTempSubdirectory("cai-resume-").FullName;
        string repo = SlCaiEndToEndFixture.RepositoryRoot();
        string recipes = Path.Combine(repo, "recipes");
        Recipe = Path.Combine(Root, "every-stage.yaml");
        File.WriteAllText(Recipe, $"""
            name: every-stage
            seed: 7
            device: cpu
            models:
              policy: {"{"} path: {Path.Combine(repo, "models", "cai-tiny-base")} {"}"}
              feedback: policy
            constitution: {Path.Combine(recipes, "constitutions", "harmless.yaml")}
            prompts:
              red_team: {Path.Combine(recipes, "prompts", "red-team.train.jsonl")}
              helpful: {Path.Combine(recipes, "prompts", "helpful.train.jsonl")}
              eval_red_team: {Path.Combine(recipes, "prompts", "red-team.eval.jsonl")}
              eval_helpful: {Path.Combine(recipes, "prompts", "helpful.eval.jsonl")}
            stages:
              - id: eval-base
                use: evaluate
                with: {"{"} max_prompts: 3, max_new_tokens: 12, batch_size: 1 {"}"}
              - id: initial
                use: generate
                with: {"{"} max_prompts: 4, max_new_tokens: 12, batch_size: 1 {"}"}
              - id: revise
                use: critique-revise
                critic: plain
                reviser: default
                with: {"{"} rounds: 1, max_new_tokens: 12, few_shot_examples: 0, batch_size: 1 {"}"}
              - id: sft
                use: train
                trainer: sft
                with: {"{"} epochs: 1, batch_size: 1, save_steps: 1, logging_steps: 1, eval_fraction: 0 {"}"}
              - id: pairs
                use: sample-pairs
                with: {"{"} prompt_sets: [red_team], max_prompts: 4, n: 2, max_new_tokens: 12, batch_size: 1 {"}"}
              - id: labels
                use: label
                judge: multiple-choice
                with: {"{"} principles: 1, both_orders: true, batch_size: 1 {"}"}
              - id: rm
                use: train
                trainer: reward
                with: {"{"} output_role: reward, epochs: 1, batch_size: 1, save_steps: 1, logging_steps: 1, eval_fraction: 0 {"}"}
              - id: dpo
                use: train
                trainer: dpo
                with: {"{"} epochs: 1, batch_size: 1, save_steps: 1, logging_steps: 1, eval_fraction: 0 {"}"}
              - id: ppo
                use: train
                trainer: ppo
                with: {"{"} steps: 4, rollout_batch_size: 2, mini_batch_size: 2, ppo_epochs: 1, max_new_tokens: 8, save_steps: 1 {"}"}
              - id: eval-final
                use: evaluate
                with: {"{"} max_prompts: 3, max_new_tokens: 12, batch_size: 1 {"}"}
            """);
        PretrainRecipe = Path.Combine(Root, "pretrain-kill.yaml");
        File.WriteAllText(PretrainRecipe, PretrainYaml(loggingSteps: 1));
        Baseline = RunToEnd(Recipe, "every-stage");
        PretrainBaseline = RunToEnd(PretrainRecipe, "pretrain-kill");
    }

    public string Root { get; }
    public string Recipe { get; }
    public string PretrainRecipe { get; }
    public string Baseline { get; }
    public string PretrainBaseline { get; }
    public string Runs => Path.Combine(Root, "runs");

    public string PretrainYaml(int loggingSteps) => $"""
        name: pretrain-kill
        seed: 3
        device: cpu
        models: {"{}"}
        constitution: {Path.Combine(SlCaiEndToEndFixture.RepositoryRoot(), "recipes", "constitutions", "harmless.yaml")}
        stages:
          - id: base
            use: pretrain
            with:
              documents: 300
              vocab_size: 300
              hidden_size: 32
              intermediate_size: 64
              num_hidden_layers: 1
              num_attention_heads: 2
              num_key_value_heads: 1
              max_position_embeddings: 128
              block_size: 64
              batch_size: 2
              max_steps: 40
              warmup_steps: 2
              save_steps: 2
              logging_steps: {loggingSteps}
        """;

    /// <summary>`cai run RECIPE --runs … --run-id ID --quiet [more]` in this process.</summary>
    public (int Exit, string Error) Run(string recipe, string runId, params string[] more)
    {
        var error = new StringWriter();
        int exit = CaiCommandLine.Run(["run", recipe, "--runs", Runs, "--run-id", runId, "--quiet", .. more], new StringWriter(), error);
        return (exit, error.ToString());
    }

    string RunToEnd(string recipe, string name)
    {
        var (exit, error) = Run(recipe, "baseline");
        Assert.True(exit == 0, error);
        return Path.Combine(Runs, name, "baseline");
    }

    /// <summary>`cai run` in a child process (the built tool), as a user would start it.</summary>
    public Process Start(string recipe, string runId, bool resume)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "cai.dll"), "run", recipe, "--runs", Runs,
            "--run-id", runId, "--quiet", .. resume ? new[] { "--resume" } : []])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root,
        };
        return Process.Start(start)!;
    }

    /// <summary>
    /// Waits until <paramref name="path"/> holds a whole line (a row, a metrics row, a checkpoint's pointer) and then stops
    /// <paramref name="process"/> where it is (SIGSTOP), to be killed or signalled; false when it ended first.
    /// </summary>
    public static bool StopWhenWritten(Process process, string path)
    {
        var watch = Stopwatch.StartNew();
        while (!(File.Exists(path) && (path.EndsWith("latest", StringComparison.Ordinal) || HasLine(path))))
        {
            if (process.HasExited || watch.Elapsed > TimeSpan.FromMinutes(2)) return false;
            Thread.Sleep(5);
        }
        Signal(process, "STOP");
        return true;
    }

    static bool HasLine(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            for (int b; (b = stream.ReadByte()) >= 0;) if (b == '\n') return true;
            return false;
        }
        catch (IOException) { return false; } // promoted meanwhile
    }

    /// <summary>What a child wrote to standard error, once it has ended (it is killed first).</summary>
    public static string Errors(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return process.StandardError.ReadToEnd();
    }

    public static void Signal(Process process, string signal) =>
        Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();

    public void Dispose() { if (Environment.GetEnvironmentVariable("CAI_KEEP_E2E") is null) Directory.Delete(Root, recursive: true); }
}

public sealed class ResumeTests(ResumeFixture run) : IClassFixture<ResumeFixture>
{
    /// <summary>The stages in order with the file whose appearance means the stage has written part of its work.</summary>
    static readonly (string Stage, string Progress)[] KillPoints =
    [
        ("eval-base", "data.partial.jsonl"), ("initial", "data.partial.jsonl"), ("revise", "data.partial.jsonl"),
        ("sft", "training-state/latest"), ("pairs", "data.partial.jsonl"), ("labels", "data.partial.jsonl"),
        ("rm", "training-state/latest"), ("dpo", "training-state/latest"), ("ppo", "training-state/latest"),
        ("eval-final", "data.partial.jsonl"),
    ];

    [Fact]
    public void KilledInEveryStageResumesToTheUninterruptedResult()
    {
        const string id = "killed";
        string folder = Path.Combine(run.Runs, "every-stage", id);
        for (int i = 0; i < KillPoints.Length; i++)
        {
            var (stage, progress) = KillPoints[i];
            using var child = run.Start(run.Recipe, id, resume: i > 0);
            try
            {
                if (!ResumeFixture.StopWhenWritten(child, Path.Combine(folder, stage, progress)))
                    Assert.Fail($"the run ended before {stage}/{progress} was written: {ResumeFixture.Errors(child)}");
                if (stage == "revise")
                {
                    // A second process on the run folder is refused while the first (stopped, alive) holds it.
                    var (exit, error) = run.Run(run.Recipe, id, "--resume");
                    Assert.Equal(2, exit);
                    Assert.Contains($"is in use by process {child.Id}", error);
                }
                if (stage == "dpo")
                {
                    // SIGTERM: the trainer saves at the next step boundary and the run exits with 130.
                    ResumeFixture.Signal(child, "TERM");
                    ResumeFixture.Signal(child, "CONT");
                    if (!child.WaitForExit(TimeSpan.FromMinutes(1)))
                        Assert.Fail($"no exit a minute after SIGTERM: {ResumeFixture.Errors(child)}");
                    if (child.ExitCode != 130) Assert.Fail($"exit {child.ExitCode}: {ResumeFixture.Errors(child)}");
                    Assert.False(File.Exists(Path.Combine(folder, RunLock.FileName)));
                }
                else
                {
                    child.Kill(entireProcessTree: true); // SIGKILL
                    child.WaitForExit();
                    Assert.True(File.Exists(Path.Combine(folder, RunLock.FileName))); // stale: the next process takes it over
                }
                Assert.False(File.Exists(Path.Combine(folder, stage, "done.json")), $"{stage} finished before the kill");
            }
            finally
            {
                if (!child.HasExited) child.Kill(entireProcessTree: true); // a failed assertion leaves no stopped child behind
            }
            Mark(Path.Combine(folder, stage), progress);
        }
        // What a kill during a checkpoint's or a done marker's write leaves: removed on resume.
        Directory.CreateDirectory(Path.Combine(folder, "eval-final", ".checkpoint.tmp-" + Guid.NewGuid().ToString("N")));
        File.WriteAllText(Path.Combine(folder, "eval-final", "done.json.tmp-999999-1"), "{\"stage\":");

        var (resumed, resumeError) = run.Run(run.Recipe, id, "--resume");
        Assert.True(resumed == 0, resumeError);

        foreach (var (stage, _) in KillPoints)
        {
            string mine = Path.Combine(folder, stage), theirs = Path.Combine(run.Baseline, stage);
            // Rows and metric rows written before a kill are kept, not redone: the first still carries its mark.
            string rows = Path.Combine(mine, File.Exists(Path.Combine(theirs, "data.jsonl")) ? "data.jsonl" : "metrics.jsonl");
            Assert.True(JsonNode.Parse(File.ReadLines(rows).First())!["resume_mark"] is not null,
                $"{stage}: its first row was written again");
            if (File.Exists(Path.Combine(theirs, "data.jsonl")))
                Assert.Equal(Rows(Path.Combine(theirs, "data.jsonl"), run.Baseline), Rows(Path.Combine(mine, "data.jsonl"), folder));
            else
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(theirs, "checkpoint", "model.safetensors")),
                    File.ReadAllBytes(Path.Combine(mine, "checkpoint", "model.safetensors")));
                Assert.Equal(Rows(Path.Combine(theirs, "metrics.jsonl"), run.Baseline), Rows(Path.Combine(mine, "metrics.jsonl"), folder));
            }
        }
        Assert.Empty(Directory.GetFileSystemEntries(folder, "*.tmp-*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFileSystemEntries(folder, "*.partial*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(folder, RunLock.FileName)));
    }

    [Fact]
    public void KilledPretrainResumesFromAChosenStepToTheUninterruptedResult()
    {
        const string id = "killed";
        string stage = Path.Combine(run.Runs, "pretrain-kill", id, "base");
        using (var child = run.Start(run.PretrainRecipe, id, resume: false))
        {
            if (!ResumeFixture.StopWhenWritten(child, Path.Combine(stage, "training-state", "step-4", "trainer_state.json")))
                Assert.Fail($"the run ended before its save at step 4: {ResumeFixture.Errors(child)}");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(stage, "done.json")));
        var saved = Directory.GetDirectories(Path.Combine(stage, "training-state"), "step-*")
            .Select(d => int.Parse(Path.GetFileName(d)["step-".Length..])).Order().ToList();
        Assert.Equal(2, saved.Count); // the pretrain stage keeps two saves

        var (missing, missingError) = run.Run(run.PretrainRecipe, id, "--resume", "--from-step", "3");
        Assert.Equal(2, missing);
        Assert.Contains($"--from-step: no save at step 3", missingError);
        Assert.Contains($"saved steps: {saved[0]}, {saved[1]}", missingError);

        var (exit, error) = run.Run(run.PretrainRecipe, id, "--resume", "--from-step", saved[0].ToString());
        Assert.True(exit == 0, error);
        string theirs = Path.Combine(run.PretrainBaseline, "base");
        Assert.Equal(File.ReadAllBytes(Path.Combine(theirs, "checkpoint", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(stage, "checkpoint", "model.safetensors")));
        Assert.Equal(Rows(Path.Combine(theirs, "metrics.jsonl"), ""), Rows(Path.Combine(stage, "metrics.jsonl"), ""));
    }

    [Fact]
    public void ResumingAChangedRecipeIsRefusedUnlessAllowed()
    {
        // A finished copy of the pretrain baseline: resuming it only writes the report.
        string copy = Path.Combine(run.Runs, "pretrain-kill", "changed");
        CopyFolder(run.PretrainBaseline, copy);
        string changed = Path.Combine(run.Root, "pretrain-changed.yaml");
        File.WriteAllText(changed, run.PretrainYaml(loggingSteps: 2));

        var (refused, error) = run.Run(changed, "changed", "--resume");
        Assert.Equal(2, refused);
        Assert.Equal($"error: --resume: the recipe changed since the run in {copy} began (stage base); "
            + "start a new run, or continue anyway with --allow-changed", error.Trim());

        var (allowed, allowedError) = run.Run(changed, "changed", "--resume", "--allow-changed");
        Assert.True(allowed == 0, allowedError);
        var (again, againError) = run.Run(changed, "changed", "--resume"); // run.json now holds the changed recipe
        Assert.True(again == 0, againError);
        Assert.NotEqual(JsonNode.Parse(File.ReadAllText(Path.Combine(run.PretrainBaseline, "run.json")))!["recipe_hash"]!.ToString(),
            JsonNode.Parse(File.ReadAllText(Path.Combine(copy, "run.json")))!["recipe_hash"]!.ToString());
    }

    [Fact]
    public void RunIdNamesANewRunOrTheRunToResume()
    {
        var (exists, error) = run.Run(run.PretrainRecipe, "baseline");
        Assert.Equal(2, exists);
        Assert.Contains("error: --run-id: run 'baseline' of pretrain-kill exists", error);
        var (missing, missingError) = run.Run(run.PretrainRecipe, "no-such-run", "--resume");
        Assert.Equal(2, missing);
        Assert.Contains("error: --run-id: no run 'no-such-run' of pretrain-kill", missingError);
        var (bad, badError) = run.Run(run.PretrainRecipe, "../escape");
        Assert.Equal(2, bad);
        Assert.Contains("--run-id", badError);
    }

    /// <summary>Adds a "resume_mark" to the first row of a killed stage's rows or metrics, so that the resumed run shows
    /// whether it kept the row or wrote it again.</summary>
    static void Mark(string stage, string progress)
    {
        string file = Path.Combine(stage, progress.StartsWith("data", StringComparison.Ordinal) ? "data.partial.jsonl" : "metrics.jsonl");
        string text = File.ReadAllText(file);
        int end = text.IndexOf('\n');
        Assert.True(end > 0, $"{file} has no whole row");
        var first = JsonNode.Parse(text[..end])!.AsObject();
        first["resume_mark"] = true;
        File.WriteAllText(file, first.ToJsonString() + text[end..]); // a torn last line stays torn
    }

    /// <summary>A JSONL file's rows as compared between runs: the run folder in provenance replaced, timings and marks dropped;
    /// a row that kept its mark must be the first.</summary>
    static List<string> Rows(string file, string runFolder) => File.ReadLines(file).Where(l => l.Length > 0).Select((line, i) =>
    {
        var row = JsonNode.Parse(runFolder.Length > 0 ? line.Replace(runFolder, "RUN") : line)!.AsObject();
        if (row.Remove("resume_mark")) Assert.Equal(0, i);
        row.Remove("tokens_per_second");
        return row.ToJsonString();
    }).ToList();

    static void CopyFolder(string source, string destination)
    {
        foreach (string dir in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(source, destination));
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(source, destination));
    }
}
