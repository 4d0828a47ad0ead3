using System.CommandLine;
using Cai.Cli.Commands;

namespace Cai.Cli;

/// <summary>The `cai` command tree.</summary>
public static class CaiCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("cai: Constitutional AI training (SL-CAI and RL-CAI) for .NET.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(PluginsCommand.Create());
        root.Subcommands.Add(SchemaCommand.Create());
        root.Subcommands.Add(NewPluginCommand.Create());
        root.Subcommands.Add(WorldCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        return root;
    }
}
