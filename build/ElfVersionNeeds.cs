// Marks one GNU version requirement of an ELF64 little-endian shared object as weak (VER_FLG_WEAK),
// and the dynamic symbols bound to it as unversioned. Used on TorchSharp's libLibTorchSharp.so, whose only
// GLIBCXX_3.4.32 symbol (_ZSt21ios_base_library_initv) is never called, so it loads on older libstdc++.
// Compiled twice: as an MSBuild inline task (Directory.Build.targets) and into `cai doctor`.
using System;
using System.IO;
using System.Text;

public static class ElfVersionNeeds
{
    public enum State { Absent, Required, Weak }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const uint ShtGnuVersym = 0x6fffffff;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Whether <paramref name="file"/> requires <paramref name="version"/>, and if so whether weakly.</summary>
    public static State Inspect(string file, string version)
    {
        var elf = File.ReadAllBytes(file);
        var entry = FindNeed(elf, version);
        if (entry is null) return State.Absent;
        return (BitConverter.ToUInt16(elf, entry.Value.AuxOffset + 4) & VerFlgWeak) != 0 ? State.Weak : State.Required;
    }

    /// <summary>Makes the requirement weak in place. Returns true when the file changed; idempotent.</summary>
    public static bool MakeWeak(string file, string version)
    {
        var elf = File.ReadAllBytes(file);
        var entry = FindNeed(elf, version);
        if (entry is null) return false;
        var (auxOffset, versionIndex, versymOffset, versymCount) = entry.Value;
        bool changed = false;
        ushort flags = BitConverter.ToUInt16(elf, auxOffset + 4);
        if ((flags & VerFlgWeak) == 0)
        {
            WriteU16(elf, auxOffset + 4, (ushort)(flags | VerFlgWeak));
            changed = true;
        }
        for (int i = 0; i < versymCount; i++)
        {
            int at = versymOffset + 2 * i;
            if ((BitConverter.ToUInt16(elf, at) & 0x7fff) == versionIndex)
            {
                WriteU16(elf, at, 1); // VER_NDX_GLOBAL: unversioned
                changed = true;
            }
        }
        if (!changed) return false;
        string temp = file + ".patching";
        File.WriteAllBytes(temp, elf);
        File.Delete(file); // unlink first: never write through a hard link into the NuGet cache
        File.Move(temp, file);
        return true;
    }

    static (int AuxOffset, int VersionIndex, int VersymOffset, int VersymCount)? FindNeed(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int verneed = -1, versym = -1;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)(shoff + (long)i * shentsize));
            uint type = BitConverter.ToUInt32(elf, sh + 4);
            if (type == ShtGnuVerneed) verneed = sh;
            else if (type == ShtGnuVersym) versym = sh;
        }
        if (verneed < 0) return null;
        int strtab = checked((int)(shoff + (long)BitConverter.ToUInt32(elf, verneed + 40) * shentsize));
        int strings = checked((int)BitConverter.ToInt64(elf, strtab + 24));
        int need = checked((int)BitConverter.ToInt64(elf, verneed + 24));
        int needCount = (int)BitConverter.ToUInt32(elf, verneed + 44);
        for (int n = 0; n < needCount; n++)
        {
            int auxCount = BitConverter.ToUInt16(elf, need + 2);
            int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
            for (int a = 0; a < auxCount; a++)
            {
                string name = ReadString(elf, strings + (int)BitConverter.ToUInt32(elf, aux + 8));
                if (name == version)
                {
                    int index = BitConverter.ToUInt16(elf, aux + 6) & 0x7fff;
                    int versymOffset = versym < 0 ? 0 : checked((int)BitConverter.ToInt64(elf, versym + 24));
                    int versymCount = versym < 0 ? 0 : checked((int)(BitConverter.ToInt64(elf, versym + 32) / 2));
                    return (aux, index, versymOffset, versymCount);
                }
                aux += (int)BitConverter.ToUInt32(elf, aux + 12);
            }
            int next = (int)BitConverter.ToUInt32(elf, need + 12);
            if (next == 0) break;
            need += next;
        }
        return null;
    }

    static string ReadString(byte[] elf, int offset)
    {
        int end = Array.IndexOf(elf, (byte)0, offset);
        return Encoding.ASCII.GetString(elf, offset, end - offset);
    }

    static void WriteU16(byte[] elf, int offset, ushort value)
    {
        elf[offset] = (byte)value;
        elf[offset + 1] = (byte)(value >> 8);
    }
}

#if !CAI_NO_MSBUILD_TASK
/// <summary>MSBuild task: patches every given libLibTorchSharp.so copy (never the NuGet cache).</summary>
public sealed class PatchTorchSharpNative : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            string path = item.GetMetadata("FullPath");
            if (path.Replace('\\', '/').Contains("/.nuget/packages/"))
            {
                Log.LogError("refusing to patch a file inside the NuGet cache: {0}", path);
                return false;
            }
            if (ElfVersionNeeds.MakeWeak(path, Version))
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "Marked {0} weak in {1}", Version, path);
        }
        return !Log.HasLoggedErrors;
    }
}
#endif
