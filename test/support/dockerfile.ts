/** Just enough of a Dockerfile reader to check ours and replay its build stage. */
export interface DockerInstruction {
  keyword: string
  args: string
}

export interface DockerStage {
  from: string
  name?: string
  instructions: DockerInstruction[]
}

export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = []
  // Backslash-newline continues an instruction; comment lines do not end one.
  const logical = text.replace(/\\\r?\n(\s*#[^\n]*\n)*/g, ' ')
  for (const line of logical.split('\n')) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(trimmed)!
    const instruction = { keyword: keyword!.toUpperCase(), args: args!.trim() }
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(/\s+/)
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}

export function stageNamed(stages: DockerStage[], name: string): DockerStage {
  const stage = stages.find((candidate) => candidate.name === name)
  if (!stage) throw new Error(`the Dockerfile has no stage named ${name}`)
  return stage
}

/** Values of one keyword in a stage, in order. */
export function argsOf(stage: DockerStage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args)
}

/** `${NAME}` and `$NAME` replaced from `vars`, as Docker does in ENV, COPY, WORKDIR... */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => vars[(braced ?? bare)!] ?? '')
}
