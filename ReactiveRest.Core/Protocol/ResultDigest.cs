using System.Security.Cryptography;
using System.Text;

namespace ReactiveRest.Engine.Protocol;

/// <summary>A short fingerprint of a result's JSON, so that Redis compares results without comparing their text.</summary>
public static class ResultDigest
{
    public static string Of(string resultJson) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(resultJson)));
}
