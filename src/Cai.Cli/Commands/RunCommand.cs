using Cai.Abstractions.Input;
using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Cai.Cli.Run;
using Cai.Core.Pipeline;
using Cai.Models;
using Cai.Core.Plugins;
using Cai.Core.Recipes;
using Cai.Core.Reports;
using Cai.Core.Runs;
using Cai.Core.Stages;
using Spectre.Console;

namespace Cai.Cli.Commands;

/// <summary>`cai run RECIPE`: runs (or with --resume, continues) a recipe's stages and writes the report.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var recipe = new Argument<FileInfo>("recipe") { Description = "The recipe file (YAML)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the latest run of this recipe: skip finished stages, resume the interrupted one." };
        var runs = new Option<DirectoryInfo>("--runs") { Description = "Folder of runs (runs/<recipe>/<run-id>/).", DefaultValueFactory = _ => new DirectoryInfo("runs") };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display; errors only." };
        var jsonLog = new Option<bool>("--json-log") { Description = "One JSON object per event on standard output, for scripts." };
        var runId = new Option<string>("--run-id")
        {
            Description = "The run's folder name under runs/<recipe>/: a new run's, or with --resume the run to continue "
                + "(default: named by time; with --resume, the latest).",
        };
        runId.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } id && !Regex.IsMatch(id, Recipe.NamePattern)) result.AddError(Recipe.NameRule);
        });
        var allowChanged = new Option<bool>("--allow-changed")
        {
            Description = "With --resume: continue even though the recipe changed since the run began (run.json keeps its hash).",
        };
        var fromStep = new Option<long?>("--from-step")
        {
            Description = "With --resume: the interrupted training stage restarts from its save at this step "
                + "(a trainer keeps its newest save_total_limit saves).",
        }.InRange(new RangeAttribute(0, long.MaxValue));
        var trust = ValidateCommand.TrustOption();
        var command = new Command("run", "Run a recipe: SL-CAI and RL-CAI stages, artifacts under runs/, a report at the end.")
            { recipe, resume, runs, runId, allowChanged, fromStep, quiet, jsonLog, trust };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(recipe)!,
            new RunArguments(parse.GetValue(resume), parse.GetValue(runId), parse.GetValue(allowChanged), parse.GetValue(fromStep)),
            parse.GetValue(runs)!, parse.GetValue(quiet), parse.GetValue(jsonLog), parse.GetValue(trust), token));
        return command;
    }

    /// <summary>Which run to run or continue, and how.</summary>
    sealed record RunArguments(bool Resume, string? RunId, bool AllowChanged, long? FromStep);

    static async Task<int> RunAsync(FileInfo recipeFile, RunArguments arguments, DirectoryInfo runsRoot, bool quiet, bool jsonLog,
        bool trustPlugins, CancellationToken cancellationToken)
    {
        if (File.Exists(runsRoot.FullName)) throw InputException.ForOption("--runs", $"{runsRoot} is a file; expected a folder of runs");
        if (arguments.FromStep is not null && !arguments.Resume) throw InputException.ForOption("--from-step", "needs --resume");
        if (arguments.AllowChanged && !arguments.Resume) throw InputException.ForOption("--allow-changed", "needs --resume");
        using var host = PluginHost.WithBuiltIns();
        var stages = CaiCommandLine.Stages();
        var recipe = RecipeResolver.Resolve(recipeFile.ToString(), host, stages, trustPlugins);
        var factory = ModelFactory.For(recipe.Recipe); // the device, resolved once, before any stage
        var run = Folder(runsRoot.FullName, recipe.Recipe.Name, arguments);
        var runner = new PipelineRunner(recipe, host, factory)
        {
            AllowChangedRecipe = arguments.AllowChanged, FromStep = arguments.FromStep,
        };
        var logger = new ConsoleStageLogger(quiet || jsonLog);
        // Every stage runs on the torch thread (one OpenMP team for the process: see TorchThread).
        Task RunStages(IRunObserver observer) => TorchThread.RunAsync(() => runner.RunAsync(run, observer, logger, cancellationToken));
        try
        {
            if (jsonLog) await RunStages(new JsonLogObserver(Console.Out));
            else if (quiet) await RunStages(NullRunObserver.Instance);
            else
            {
                var observer = new SpectreRunObserver();
                await AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async progress =>
                    {
                        observer.Attach(progress);
                        await RunStages(observer);
                    });
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"stopped: continue with cai run {recipeFile} --resume --run-id {Path.GetFileName(run.Root)} "
                + $"({run.Root})");
            return ErrorReport.Cancelled;
        }
        catch (Exception e) when (e is not InputException)
        {
            e.Data[ErrorReport.HintKey] = "finished stages are kept; after a fix, continue with "
                + $"--resume --run-id {Path.GetFileName(run.Root)} ({run.Root})";
            throw;
        }
        string report = WriteReport(recipe, run, host, factory, stages);
        if (!quiet && !jsonLog) AnsiConsole.MarkupLine($"[green]done[/]: report at [bold]{Markup.Escape(report)}[/]");
        return 0;
    }

    /// <summary>The run folder: the named or latest run to continue, or a new one.</summary>
    static RunLayout Folder(string runsRoot, string recipeName, RunArguments arguments)
    {
        if (arguments.RunId is { } id)
            return RunLayout.Named(runsRoot, recipeName, id, create: !arguments.Resume) is { } named
                ? (arguments.Resume || !File.Exists(named.RunManifest) ? named
                    : throw InputException.ForOption("--run-id",
                        $"run '{id}' of {recipeName} exists ({named.Root}); continue it with --resume"))
                : throw InputException.ForOption("--run-id", $"no run '{id}' of {recipeName} in {runsRoot} to resume");
        return (arguments.Resume ? RunLayout.Latest(runsRoot, recipeName) : null)
               ?? RunLayout.CreateNew(runsRoot, recipeName, DateTimeOffset.UtcNow);
    }

    /// <summary>The report, with the recipe's evaluator: an evaluator plugin on the run's last models, or the embedded one.</summary>
    static string WriteReport(ResolvedRecipe recipe, RunLayout run, PluginHost host, ModelFactory factory, StageRegistry stages)
    {
        using var models = ModelRegistry.For(recipe, factory);
        foreach (var stage in recipe.Stages.Where(s => run.Stage(s.Id).IsDone))
            foreach (var (role, checkpoint) in StageMarker.Read(run.Stage(stage.Id)).Outcome.ModelUpdates) models.Replace(role, checkpoint);
        var evaluator = EvaluateStage.OfRecipe(recipe, host, models, stages.Evaluator,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        try { return RunReport.Write(recipe, run, evaluator); }
        finally { (evaluator as IDisposable)?.Dispose(); }
    }
}
