//! `counted_enum!`: an enumeration of counter slots with its stable names.
//!
//! Run counters are arrays indexed by an enum's discriminant, printed under
//! each variant's name (`--stats`, and later metrics). The macro writes the
//! enum, `COUNT`, `ALL` (every variant, in declaration order, so
//! `ALL[i] as usize == i`) and `as_str`, from one list, so a new variant
//! cannot be left out of any of them.

/// `counted_enum! { /// docs  pub enum Name { Variant => "name", ... } }`
macro_rules! counted_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const COUNT: usize = [$($name::$variant),+].len();
            pub const ALL: [$name; $name::COUNT] = [$($name::$variant),+];

            /// The name this slot is printed under; stable across releases.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }
    };
}

pub(crate) use counted_enum;

#[cfg(test)]
mod tests {
    counted_enum! {
        /// Test slots.
        pub enum Slot { A => "a", B => "b", C => "c" }
    }

    #[test]
    fn all_lists_every_variant_in_discriminant_order() {
        assert_eq!(Slot::COUNT, 3);
        for (i, slot) in Slot::ALL.iter().enumerate() {
            assert_eq!(*slot as usize, i);
        }
        assert_eq!(Slot::ALL.map(Slot::as_str), ["a", "b", "c"]);
    }
}
