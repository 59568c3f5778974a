from advisor.commands.main import entry

entry()
