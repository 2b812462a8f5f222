# LSTM autoencoder with U-Net skips, as designed in LayerLoom.
# Keras functional API; runs on Keras 3 and on tf.keras 2.x. Every layer option is
# written out, so that defaults that differ between versions do not apply.
try:
    import keras
    from keras import layers, regularizers
except ImportError:  # TensorFlow 2.x without the keras package
    from tensorflow import keras
    from tensorflow.keras import layers, regularizers

input_1 = keras.Input(shape=(32, 1), name="input_1")  # (None, 32, 1)
lstm_1 = layers.LSTM(units=512, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_1")(input_1)  # (None, 32, 512)
lstm_2 = layers.LSTM(units=256, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_2")(lstm_1)  # (None, 32, 256)
lstm_3 = layers.LSTM(units=20, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=False, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_3")(lstm_2)  # (None, 20)
repeat_vector_1 = layers.RepeatVector(n=32, name="repeat_vector_1")(lstm_3)  # (None, 32, 20)
lstm_4 = layers.LSTM(units=20, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_4")(repeat_vector_1)  # (None, 32, 20)
concatenate_1 = layers.Concatenate(axis=-1, name="concatenate_1")([lstm_4, lstm_2])  # (None, 32, 276)
lstm_5 = layers.LSTM(units=256, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_5")(concatenate_1)  # (None, 32, 256)
concatenate_2 = layers.Concatenate(axis=-1, name="concatenate_2")([lstm_5, lstm_1])  # (None, 32, 768)
lstm_6 = layers.LSTM(units=512, activation="tanh", recurrent_activation="sigmoid", use_bias=True, return_sequences=True, go_backwards=False, return_state=False, dropout=0.0, recurrent_dropout=0.0, kernel_regularizer=None, unit_forget_bias=True, name="lstm_6")(concatenate_2)  # (None, 32, 512)
time_distributed_1 = layers.TimeDistributed(layers.Dense(units=1, activation="linear", use_bias=True, kernel_regularizer=None), name="time_distributed_1")(lstm_6)  # (None, 32, 1)

model = keras.Model(inputs=input_1, outputs=time_distributed_1, name="LSTM_autoencoder_with_U_Net_skips")
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07), loss="mse")
model.summary()

# Train on arrays shaped (samples, time, features), e.g. windows of your series:
# model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, shuffle=True)
