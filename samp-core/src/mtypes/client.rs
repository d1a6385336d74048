//! Client environment and control, from NOAO/IRAF (SAMP.md §8.5): sparse support outside
//! IRAF, and security-sensitive; a Web Profile hub blocks these from web pages.

use crate::Map;

vocabulary! {
    /// Read a variable of the receiver's environment; send as a call.
    ClientEnvGet = "client.env.get" -> ClientEnvGetResult {
        required {
            /// The variable's name.
            name: String = "name",
        }
        optional {}
    }
}

vocab_struct! {
    /// The result of `client.env.get` and `client.param.get`.
    ClientEnvGetResult {
        required {
            /// The variable's value.
            value: String = "value",
        }
        optional {}
    }
}

vocabulary! {
    /// Set a variable of the receiver's environment.
    ClientEnvSet = "client.env.set" -> () {
        required {
            /// The variable's name.
            name: String = "name",
            /// Its new value.
            value: String = "value",
        }
        optional {}
    }
}

vocabulary! {
    /// Read a task parameter of the receiver (IRAF/VOClient).
    ClientParamGet = "client.param.get" -> ClientEnvGetResult {
        required {
            /// The parameter's name.
            name: String = "name",
        }
        optional {}
    }
}

vocabulary! {
    /// Set a task parameter of the receiver (IRAF/VOClient).
    ClientParamSet = "client.param.set" -> () {
        required {
            /// The parameter's name.
            name: String = "name",
            /// Its new value.
            value: String = "value",
        }
        optional {}
    }
}

vocabulary! {
    /// Run a command in the receiver (IRAF/VOClient); the result is the application's own.
    ClientCmdExec = "client.cmd.exec" -> Map {
        required {
            /// The command.
            cmd: String = "cmd",
        }
        optional {}
    }
}
