//! The CI files `init --ci` writes: the very files the docs show, embedded
//! at build time so that the docs and `init` cannot drift apart.

use std::collections::BTreeMap;

/// GitHub Actions: `examples/github/prepare-and-run.yml` (docs/src/ci/github.md).
const GITHUB: &str = include_str!("../../examples/github/prepare-and-run.yml");
/// Jenkins: `examples/Jenkinsfile` (docs/src/ci/jenkins.md).
const JENKINS: &str = include_str!("../../examples/Jenkinsfile");
/// The GitLab CI/CD component (docs/src/ci/gitlab.md), whose inputs are
/// filled with their defaults to make a plain `.gitlab-ci.yml`.
const GITLAB_COMPONENT: &str = include_str!("../../templates/katalon-prep.yml");
/// Azure Pipelines (docs/src/ci/azure.md).
const AZURE: &str = include_str!("../../examples/azure-pipelines.yml");

/// A CI system `init` writes a file for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    Github,
    Gitlab,
    Jenkins,
    Azure,
}

impl System {
    /// Where the file goes, relative to the repository root.
    pub fn file(self) -> &'static str {
        match self {
            System::Github => ".github/workflows/katalon.yml",
            System::Gitlab => ".gitlab-ci.yml",
            System::Jenkins => "Jenkinsfile",
            System::Azure => "azure-pipelines.yml",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            System::Github => "github",
            System::Gitlab => "gitlab",
            System::Jenkins => "jenkins",
            System::Azure => "azure",
        }
    }

    /// The file's content.
    pub fn content(self) -> Result<String, String> {
        match self {
            System::Github => Ok(GITHUB.to_string()),
            System::Jenkins => Ok(JENKINS.to_string()),
            System::Azure => Ok(AZURE.to_string()),
            System::Gitlab => gitlab_pipeline(GITLAB_COMPONENT),
        }
    }
}

/// The component's jobs with every `$[[ inputs.x ]]` replaced by the
/// input's default, under a header saying where they come from.
fn gitlab_pipeline(component: &str) -> Result<String, String> {
    let (header, jobs) =
        component.split_once("\n---\n").ok_or("the GitLab component has no `---` after its `spec:` header")?;
    #[derive(serde::Deserialize)]
    struct Spec {
        spec: Inputs,
    }
    #[derive(serde::Deserialize)]
    struct Inputs {
        inputs: BTreeMap<String, Input>,
    }
    #[derive(serde::Deserialize)]
    struct Input {
        default: serde_yaml::Value,
    }
    let spec: Spec = serde_yaml::from_str(header).map_err(|e| format!("the GitLab component's header: {e}"))?;
    let mut out = String::from(
        "# Written by `katalon-prep init --ci gitlab`: the jobs of katalon-prep's GitLab CI/CD\n\
         # component (templates/katalon-prep.yml) with its inputs' defaults filled in. The key\n\
         # is read from the masked CI/CD variable KATALON_API_KEY (Settings > CI/CD > Variables).\n\
         # Instead of this file you can include the component:\n\
         #   include:\n\
         #     - component: $CI_SERVER_FQDN/katalon-prep/katalon-prep/katalon-prep@1\n\n",
    );
    let mut rest = jobs;
    while let Some(start) = rest.find("$[[") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("]]").ok_or("an unterminated `$[[` in the GitLab component")? + start;
        let name = rest[start + 3..end].trim();
        let key = name.strip_prefix("inputs.").ok_or_else(|| format!("`$[[ {name} ]]` is not an input"))?;
        let value = spec.spec.inputs.get(key).ok_or_else(|| format!("the GitLab component has no input `{key}`"))?;
        match &value.default {
            serde_yaml::Value::String(s) => out.push_str(s),
            serde_yaml::Value::Number(n) => out.push_str(&n.to_string()),
            serde_yaml::Value::Bool(b) => out.push_str(&b.to_string()),
            _ => return Err(format!("the GitLab component's input `{key}` has no plain default")),
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_inputs_become_their_defaults() {
        let text = System::Gitlab.content().unwrap();
        assert!(!text.contains("$[["), "{text}");
        assert!(text.contains("katalon-prepare:"), "{text}");
        assert!(text.contains("KATALON_PREP_API_KEY_ENV: KATALON_API_KEY"), "{text}");
        let _: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    }
}
