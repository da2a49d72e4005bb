# Installs a released katalon-prep.exe on Windows, checked against the
# release's SHA-256 sums before anything is installed: the same steps as
# install.sh.
#
#   .\install.ps1 [-Version vX.Y.Z] [-To DIR] [-Sums FILE]
#
#   -Version vX.Y.Z  the release to install [default: the latest release]
#   -To DIR          where katalon-prep.exe goes [default: $HOME\.katalon-prep\bin]
#   -Sums FILE       check against this SHA256SUMS file instead of the release's
#
#   $env:KATALON_PREP_RELEASE_URL  the base URL of a release's downloads
#
# Not run by this repository's CI (no PowerShell there); the native GitHub
# Action uses install.sh in Git Bash on Windows runners.
[CmdletBinding()]
param(
    [string]$Version = "",
    [string]$To = "",
    [string]$Sums = ""
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$RepoUrl = "https://github.com/katalon-prep/katalon-prep"
function Fail([string]$Message, [string]$Hint = "") {
    [Console]::Error.WriteLine("error: $Message")
    if ($Hint) { [Console]::Error.WriteLine("hint: $Hint") }
    exit 1
}
function Say([string]$Message) { [Console]::Error.WriteLine("katalon-prep install: $Message") }

if ($Version) {
    if ($Version -match '^[0-9]+\.[0-9]+\.[0-9]+') { $Version = "v$Version" }
    if ($Version -notmatch '^v[0-9]+\.[0-9]+\.[0-9]+') {
        [Console]::Error.WriteLine("error: -Version $Version is not a release version (vX.Y.Z)")
        exit 2
    }
}
if ($Sums -and -not (Test-Path -LiteralPath $Sums -PathType Leaf)) { Fail "-Sums ${Sums}: no such file" }

# x64 and ARM64 Windows both take the x64 build (ARM64 runs it emulated).
$Target = "x86_64-pc-windows-msvc"
$Asset = "katalon-prep-$Target.zip"

if ($env:KATALON_PREP_RELEASE_URL) { $Base = $env:KATALON_PREP_RELEASE_URL.TrimEnd('/') }
elseif ($Version) { $Base = "$RepoUrl/releases/download/$Version" }
else { $Base = "$RepoUrl/releases/latest/download" }
if ($Base -notmatch '^https://' -and $Base -notmatch '^http://(127\.0\.0\.1|localhost|\[::1\])[:/]') {
    Fail "KATALON_PREP_RELEASE_URL must be an https:// URL (got $Base)" "plain http:// is accepted for 127.0.0.1 and localhost only"
}
if (-not $To) { $To = Join-Path $HOME ".katalon-prep\bin" }

$Tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("katalon-prep-" + [System.Guid]::NewGuid())
New-Item -ItemType Directory -Path $Tmp | Out-Null
try {
    if (-not $Sums) {
        Say "downloading $Base/SHA256SUMS"
        $Sums = Join-Path $Tmp "SHA256SUMS"
        try { Invoke-WebRequest -UseBasicParsing -Uri "$Base/SHA256SUMS" -OutFile $Sums }
        catch { Fail "could not download $Base/SHA256SUMS" "check -Version and KATALON_PREP_RELEASE_URL" }
    }
    $Want = $null
    foreach ($line in Get-Content -LiteralPath $Sums) {
        $fields = $line.Trim() -split '\s+'
        if ($fields.Count -ge 2 -and ($fields[1] -eq $Asset -or $fields[1] -eq "*$Asset")) { $Want = $fields[0].ToLowerInvariant(); break }
    }
    if (-not $Want) { Fail "$Sums has no entry for ${Asset}: nothing was installed" }
    if ($Want -notmatch '^[0-9a-f]{64}$') { Fail "${Sums}: the entry for $Asset is not a SHA-256 ($Want)" }

    Say "downloading $Base/$Asset"
    $Zip = Join-Path $Tmp $Asset
    try { Invoke-WebRequest -UseBasicParsing -Uri "$Base/$Asset" -OutFile $Zip }
    catch { Fail "could not download $Base/$Asset" "check -Version and KATALON_PREP_RELEASE_URL" }
    $Got = (Get-FileHash -Algorithm SHA256 -LiteralPath $Zip).Hash.ToLowerInvariant()
    if ($Got -ne $Want) {
        Fail "$Asset does not match its SHA-256 in ${Sums}: nothing was installed`n  expected $Want`n  got      $Got" "the download was altered or the sums belong to another release; do not use this file"
    }
    Say "sha256 $Got ok"

    $X = Join-Path $Tmp "x"
    Expand-Archive -LiteralPath $Zip -DestinationPath $X
    $Bin = Get-ChildItem -LiteralPath $X -Recurse -Filter "katalon-prep.exe" | Select-Object -First 1
    if (-not $Bin) { Fail "$Asset holds no katalon-prep.exe" }

    New-Item -ItemType Directory -Force -Path $To | Out-Null
    $Staged = Join-Path $To ".katalon-prep.exe.$PID"
    Copy-Item -LiteralPath $Bin.FullName -Destination $Staged
    Move-Item -Force -LiteralPath $Staged -Destination (Join-Path $To "katalon-prep.exe")
    Say "installed $(Join-Path $To 'katalon-prep.exe') ($Target $Version)"
    if (($env:PATH -split ';') -notcontains $To) { Say "$To is not on PATH: add it, or run $(Join-Path $To 'katalon-prep.exe')" }
}
finally {
    Remove-Item -Recurse -Force -LiteralPath $Tmp -ErrorAction SilentlyContinue
}
