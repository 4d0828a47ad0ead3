using System.CommandLine;
using System.CommandLine.Invocation;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cai.Cli.Commands;
using Cai.Abstractions.Input;
using Cai.Core.Pipeline;
using Cai.Core.Recipes.Yaml;
using Cai.Sandbox;

namespace Cai.Cli;

/// <summary>The `cai` command tree, and running it through the one error path (<see cref="ErrorReport"/>).</summary>
public static class CaiCommandLine
{
    /// <summary>On an error, also print the stack trace.</summary>
    public const string VerboseOption = "--verbose";

    public static RootCommand Build()
    {
        var root = new RootCommand("cai: Constitutional AI training (SL-CAI and RL-CAI) for .NET.");
        root.Options.Add(new Option<bool>(VerboseOption) { Description = "On an error, also print its stack trace.", Recursive = true });
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(PluginsCommand.Create());
        root.Subcommands.Add(SchemaCommand.Create());
        root.Subcommands.Add(NewPluginCommand.Create());
        root.Subcommands.Add(WorldCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        return root;
    }

    /// <summary>The stage kinds `cai` runs: Core's, and the toy world's evaluator and pretrain stage.</summary>
    public static StageRegistry Stages() => ToyWorld.Register(StageRegistry.Standard());

    /// <summary>
    /// Parses and runs a command line: parse errors and bad input exit with 2, a failed run with 1, a run stopped by
    /// SIGTERM or Ctrl-C with 130, each problem on one <c>error:</c> line of <paramref name="error"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            var parse = Build().Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction) return ErrorReport.Write(parse, error);
            // SIGTERM and Ctrl-C cancel the command's token; `cai run` then saves where it is (a checkpoint's write may take
            // a while) and exits with 130. A second signal ends the process at once.
            using var stop = new CancellationTokenSource();
            void Stop(PosixSignalContext signal)
            {
                if (stop.IsCancellationRequested) return;
                signal.Cancel = true;
                stop.Cancel();
            }
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            var configuration = new InvocationConfiguration
            {
                Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
            };
            return parse.InvokeAsync(configuration, stop.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return ErrorReport.Write(e, error, args.Contains(VerboseOption));
        }
    }

    /// <summary>
    /// Checks a command's arguments record against the rules declared on its properties (ranges, allowed values) and
    /// its cross-property rules, naming each property as its option (<c>TopP</c> is <c>--top-p</c>).
    /// </summary>
    public static void CheckArguments(object arguments)
    {
        var errors = new List<InputError>();
        foreach (var property in OptionProperties.Of(arguments.GetType()))
            if (OptionProperties.Check(property, property.Info.GetValue(arguments)) is { } problem)
                errors.Add(new InputError(SourceLocation.Option(OptionName(property.Info)), problem));
        foreach (var (property, problem) in OptionProperties.CheckObject(arguments))
        {
            var option = property is null ? null : SourceLocation.Option(OptionName(arguments.GetType().GetProperty(property)!));
            errors.Add(new InputError(option, problem));
        }
        InputException.ThrowIfAny(errors);
    }

    /// <summary>Refuses a value of <paramref name="option"/> outside <paramref name="range"/> as a parse error, in the words of the recipe
    /// ranges.</summary>
    public static Option<T> InRange<T>(this Option<T> option, RangeAttribute range)
    {
        option.Validators.Add(result =>
        {
            T? value;
            try { value = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; } // not a number: the parser reports that
            if (!range.IsValid(value))
                result.AddError($"{OptionProperties.Describe(range)}, got {Convert.ToString(value, CultureInfo.InvariantCulture)}");
        });
        return option;
    }

    /// <summary>The option of a property: its [Display(Name)], or its name in kebab case.</summary>
    static string OptionName(System.Reflection.PropertyInfo property) =>
        "--" + (property.GetCustomAttributes(typeof(DisplayAttribute), true).OfType<DisplayAttribute>().FirstOrDefault()?.Name
                ?? JsonNamingPolicy.KebabCaseLower.ConvertName(property.Name));
}
